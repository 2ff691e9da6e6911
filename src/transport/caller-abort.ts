import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { callCancelled, callerDeadlinePassed } from "../errors/error-model.js";
import { connectTimeoutMs, grpcTimeoutMs } from "./deadline-clamp.js";

/**
 * How far ahead of ours a caller's deadline timer may fire: it started before the request was sent, ours when the
 * request arrived and our event loop got to it.
 */
export const DEADLINE_SKEW_MS = 100;

/**
 * Names a call the caller abandoned for what it was. When a caller resets its stream, Connect aborts the call with
 * the reset's HTTP/2 code: INTERNAL_ERROR from Connect's own clients when their deadline fires (only an explicit
 * cancel sends CANCEL), which would record the caller's deadline as a server fault: an INTERNAL span in error and an
 * error-level log line. Innermost of the interceptors, so the span and the access log see the corrected code:
 * DEADLINE_EXCEEDED when the caller's deadline had (all but) passed, CANCELLED otherwise. The caller is gone and
 * sees none of this. Errors other than the abort itself (a failure that happened before the reset) are kept.
 */
export function createCallerAbortInterceptor(): Interceptor {
  return (next) => async (req) => {
    const deadlineAt = deadlineOf(req.header);
    const named = (error: unknown) => callerAbortOutcome(error, req.signal, deadlineAt);
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: renamingErrors(res.message, named) };
    } catch (error) {
      throw named(error);
    }
  };
}

/** `error`, or, when it is the caller's reset propagating, CANCELLED or DEADLINE_EXCEEDED. `deadlineAt` is on `performance.now()`'s clock. */
export function callerAbortOutcome(error: unknown, signal: AbortSignal, deadlineAt: number | undefined, now = performance.now()): unknown {
  if (!signal.aborted || !abortedByCaller(signal.reason)) return error;
  if (ConnectError.from(error).code !== ConnectError.from(signal.reason).code) return error;
  return deadlineAt !== undefined && now >= deadlineAt - DEADLINE_SKEW_MS ? callerDeadlinePassed() : callCancelled();
}

/**
 * Connect links the call's signal to three sources: our deadline timer (DEADLINE_EXCEEDED), the server's shutdown
 * (UNAVAILABLE) and the request itself (the peer's reset, with whatever code its RST_STREAM carried).
 */
function abortedByCaller(reason: unknown): boolean {
  const code = ConnectError.from(reason).code;
  return code !== Code.DeadlineExceeded && code !== Code.Unavailable;
}

/** When the caller's deadline (as clamped by deadline-clamp.ts) runs out, if it set one. */
function deadlineOf(header: Headers): number | undefined {
  const grpc = header.get("grpc-timeout");
  const connect = header.get("connect-timeout-ms");
  const ms = grpc !== null ? grpcTimeoutMs(grpc) : connect !== null ? connectTimeoutMs(connect) : undefined;
  return ms === undefined ? undefined : performance.now() + ms;
}

async function* renamingErrors<T>(stream: AsyncIterable<T>, named: (error: unknown) => unknown): AsyncIterable<T> {
  try {
    yield* stream;
  } catch (error) {
    throw named(error);
  }
}
