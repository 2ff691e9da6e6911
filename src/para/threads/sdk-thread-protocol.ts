import { type Code, ConnectError } from "@connectrpc/connect";
import { create, createRegistry, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { file_google_rpc_error_details } from "../../../gen/google/rpc/error_details_pb.js";
import type { ParaEnvironment } from "../../config/config.js";
import type { ParaRoundTrip } from "../para-endpoints.js";
import type { ParaFailure } from "../para-errors.js";
import type { ParaInstance } from "../sdk/para-instance.js";
import { asSdkApiError, sdkApiFailureOf } from "../sdk/sdk-internals.js";

/**
 * The messages between the main thread and an SDK thread (sdk-thread-entry.ts). Every value is structured-clone
 * plain data; errors cross as WireError and are rebuilt on the main side so src/para/para-errors.ts maps them as if
 * the SDK had thrown them here.
 */

/** What an SDK thread is started with (workerData). */
export interface SdkThreadOptions {
  environment: ParaEnvironment;
  apiKey: string;
  /** Proxy variables are set: the SDK's HTTP client honours them (sdk/para-instance.ts, HttpOptions). */
  proxyConfigured: boolean;
  /** HttpOptions.anonymousAnswerTtlMs (sdk/anonymous-answers.ts). */
  anonymousAnswerTtlMs: number;
  poolSize: number;
  refillConcurrency: number;
  maxIdleMs: number;
  settleTimeoutMs: number;
  quarantineMs: number;
  /** Forward the SDK's console output (redacted) for debug logging; otherwise it is dropped in the thread. */
  consoleDebug: boolean;
  /** The thread's V8 old-generation cap and young-generation size in MiB (config `limits`); 0: V8's own. */
  heapLimitMb: number;
  youngGenerationMb: number;
}

/** The ParaInstance methods that cross as messages (the synchronous `lastFailure` travels with every answer). */
export type InstanceOp = Exclude<keyof ParaInstance, "lastFailure" | "settled">;

export type ToThread =
  /** A fresh instance (from the thread's pristine pool, else constructed); answers its number. */
  | { t: "acquire"; id: number }
  | { t: "op"; id: number; instance: number; op: InstanceOp | "settled"; args: unknown[]; signer?: string }
  /** The caller gave up on request `id` (its signal aborted). */
  | { t: "abort"; id: number }
  /** The main side no longer holds the instance: the thread forgets it. */
  | { t: "release"; instance: number }
  | { t: "reserved"; id: number; ok: boolean }
  | { t: "start" }
  | { t: "stop" };

export interface ThreadStats {
  pool: { handouts: number; fromPool: number; waiting: number };
  worker: { convicted: number; warmups: number; refused: number; startFailures: number; quarantined: number };
}

export type FromThread =
  /** Its signing worker is warm (sent again after the thread's warm-up retried). */
  | { t: "ready" }
  /**
   * An answer, with the round trips that request made (recorded on the main side before the answer is used) and,
   * after a handout or a signing job, the thread's counters then (so they are current when the call returns).
   */
  | { t: "ok"; id: number; value: unknown; failure: ParaFailure | undefined; trips: ParaRoundTrip[]; stats?: ThreadStats }
  | { t: "err"; id: number; error: WireError; failure: ParaFailure | undefined; trips: ParaRoundTrip[]; stats?: ThreadStats }
  /**
   * Round trips not carried by an answer (background constructions, or a request already answered), a few at a
   * time; `ctx` is the request each happened under, if any.
   */
  | { t: "trips"; trips: Array<{ ctx: number | undefined; trip: ParaRoundTrip }> }
  /** A background construction asks the main thread's admission for its round trips. */
  | { t: "reserve"; id: number }
  | { t: "stats"; stats: ThreadStats }
  | { t: "log"; text: string }
  | { t: "stopped" };

/** An error as it crosses: a ConnectError whole (code, message, details), anything else as what para-errors.ts reads. */
export type WireError =
  | { kind: "connect"; code: Code; message: string; details: Array<{ type: string; value: Uint8Array }> }
  | { kind: "error"; name: string; message: string; api: ParaFailure | undefined };

const ERROR_DETAILS = createRegistry(file_google_rpc_error_details);

export function toWire(error: unknown): WireError {
  if (error instanceof ConnectError) {
    const details = error.details.map((d) =>
      "desc" in d
        ? { type: d.desc.typeName, value: toBinary(d.desc as DescMessage, create(d.desc as DescMessage, d.value as never)) }
        : { type: d.type, value: d.value },
    );
    return { kind: "connect", code: error.code, message: error.rawMessage, details };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: "error", name: e.name, message: e.message, api: sdkApiFailureOf(error) };
}

/**
 * The error again, on the main side: a ConnectError with its details (findDetails reads them), or an Error with the
 * same name and message, flagged as the SDK's API error (status, code) when it was one (sdk-internals.ts duck-types
 * it the same way). Para's messages stay where they were: only ever a cause, never serialised to a caller.
 */
export function fromWire(wire: WireError): Error {
  if (wire.kind === "connect") {
    // Rebuilt as outgoing details (descriptor and value), as if thrown here: RecentRefusals keeps only those, and the
    // server encodes them as it does every error of ours. Our errors carry only google.rpc error details.
    const details = wire.details.flatMap((d) => {
      const desc = ERROR_DETAILS.getMessage(d.type);
      return desc ? [{ desc, value: fromBinary(desc, d.value) }] : [];
    });
    return new ConnectError(wire.message, wire.code, undefined, details);
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  return wire.api ? asSdkApiError(error, wire.api) : error;
}
