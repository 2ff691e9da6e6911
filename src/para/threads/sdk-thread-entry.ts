import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";
import { redactText } from "../../telemetry/console-guard.js";
import { FreshInstanceFactory } from "../instance-factory.js";
import { PristineInstancePool } from "../instance-pool.js";
import { resetSigningWorker, warmSigningWorker } from "../para-sdk.js";
import type { ParaRoundTrip } from "../para-endpoints.js";
import type { ParaFailure } from "../para-errors.js";
import type { ParaInstance } from "../sdk/para-instance.js";
import { SigningWorkerSupervisor } from "../signing-worker.js";
import { type FromThread, type SdkThreadOptions, type ThreadStats, type ToThread, toWire } from "./sdk-thread-protocol.js";

/**
 * An SDK thread: the SDK's per-call work (construction, import, session check, keep-alive, sign) off the main thread
 * (docs/para-sdk.md §2, "SDK threads"). It holds what the main thread held when the SDK ran there: its own pristine
 * instance pool, its own signing worker (the SDK's is per module graph, so one per thread) under its own supervisor,
 * and a console guard. Admission, authorisation, identity checks and telemetry stay on the main thread: background
 * constructions ask it for their round trips, and round trips are reported to it, tagged with the request they
 * happened under (so the main side records them under that request's trace context).
 */

const port = parentPort;
if (!port) throw new Error("sdk-thread-entry.ts runs only as a worker thread");
const options = workerData as SdkThreadOptions;
const post = (message: FromThread) => port.postMessage(message);

// The SDK writes to console on its own (sessions included in DEV): redacted and forwarded for debug, else dropped.
const forward = options.consoleDebug ? (...args: unknown[]) => post({ t: "log", text: redactText(format(...args)) }) : () => undefined;
console.log = console.info = console.warn = console.error = console.debug = console.trace = forward;

/**
 * Which request each instance is working for, so its round trips carry that request back. Deliberately no
 * AsyncLocalStorage here: in Node 20 it turns on promise hooks for the whole thread, and the SDK makes promises by
 * the thousand per call (xstate, axios). An instance serves one request at a time, so the instance says which.
 */
interface Owner {
  request: number | undefined;
}
const owners = new WeakMap<ParaInstance, Owner>();
/** The request whose acquire is constructing on demand right now (set only around the pool's synchronous part). */
let acquiring: number | undefined;

const reservations = new Map<number, (ok: boolean) => void>();
let nextReservation = 0;

const supervisor = new SigningWorkerSupervisor(() => warmSigningWorker(options.environment, options.apiKey), { quarantineMs: options.quarantineMs });
/**
 * Round trips travel with the answer of the request they ran under (one message per operation, not one per round
 * trip: postMessage's cloning was a visible share of a thread's CPU); the rest go out every TRIP_FLUSH_MS.
 */
const tripsOf = new Map<number, ParaRoundTrip[]>();
let loose: Array<{ ctx: number | undefined; trip: ParaRoundTrip }> = [];
let flushScheduled = false;
const TRIP_FLUSH_MS = 50;
function recordTrip(trip: ParaRoundTrip, ctx: number | undefined): void {
  const stamped = { ...trip, endedAt: Date.now() };
  const carried = ctx === undefined ? undefined : tripsOf.get(ctx);
  if (carried) {
    carried.push(stamped);
    return;
  }
  loose.push({ ctx, trip: stamped });
  if (flushScheduled) return;
  flushScheduled = true;
  setTimeout(() => {
    flushScheduled = false;
    const trips = loose;
    loose = [];
    post({ t: "trips", trips });
  }, TRIP_FLUSH_MS);
}
/** Starts collecting request `id`'s round trips; the returned function hands them over (once). */
function collectTrips(id: number): () => ParaRoundTrip[] {
  tripsOf.set(id, []);
  return () => {
    const trips = tripsOf.get(id) ?? [];
    tripsOf.delete(id);
    return trips;
  };
}

const factory = new FreshInstanceFactory(options.environment, options.apiKey, supervisor, undefined, {
  proxyConfigured: options.proxyConfigured,
  anonymousAnswerTtlMs: options.anonymousAnswerTtlMs,
});
/** A new instance whose round trips are recorded for whichever request owns it then (at first, its acquirer if any). */
function createOwned(): Promise<ParaInstance> {
  const owner: Owner = { request: acquiring };
  return factory
    .create((trip) => recordTrip(trip, owner.request))
    .then((instance) => {
      owners.set(instance, owner);
      return instance;
    });
}
const pool = new PristineInstancePool({
  create: createOwned,
  size: options.poolSize,
  refillConcurrency: options.refillConcurrency,
  maxIdleMs: options.maxIdleMs,
  settleTimeoutMs: options.settleTimeoutMs,
  // Admission lives on the main thread.
  beforeConstruct: () =>
    factory.admitConstruction(
      () =>
        new Promise<void>((resolve, reject) => {
          const id = nextReservation++;
          reservations.set(id, (ok) => (ok ? resolve() : reject(new Error("construction not admitted"))));
          post({ t: "reserve", id });
        }),
    ),
});

const instances = new Map<number, ParaInstance>();
/** The pool's acquire takes a signal; a thread-side acquire is never cancelled (the main side stops waiting instead). */
const NEVER_ABORTED = new AbortController().signal;
const aborts = new Map<number, AbortController>();
let nextInstance = 0;

const stats = (): ThreadStats => ({ pool: pool.stats(), worker: supervisor.stats() });

async function acquire(id: number): Promise<number> {
  // A construction on demand starts inside acquire's synchronous part, and is this request's; background ones are not.
  acquiring = id;
  let handed: Promise<ParaInstance>;
  try {
    handed = pool.acquire(NEVER_ABORTED);
  } finally {
    acquiring = undefined;
  }
  const instance = await handed;
  own(instance, id);
  const number = nextInstance++;
  instances.set(number, instance);
  return number;
}

async function op(message: Extract<ToThread, { t: "op" }>): Promise<{ value: unknown; instance: ParaInstance }> {
  const instance = instances.get(message.instance);
  if (!instance) throw new Error("para instance released or unknown in this SDK thread");
  const { op, args } = message;
  own(instance, message.id);
  if (op === "sign" || op === "signTransaction") {
    const job = () =>
      op === "sign" ? instance.sign(args[0] as string, args[1] as string) : instance.signTransaction(args[0] as string, args[1] as string, args[2] as string);
    return { value: await cancellable(message.id, (signal) => supervisor.run(job, message.signer, signal)), instance };
  }
  if (op === "pendingTransaction") {
    return {
      value: await cancellable(message.id, (signal) => instance.pendingTransaction(args[0] as string | undefined, args[1] as string, signal)),
      instance,
    };
  }
  const method = instance[op] as (...a: unknown[]) => unknown;
  return { value: await method(...args), instance };
}

/** Runs `work` with a signal that the main thread's "abort" for request `id` (its caller gave up) fires. */
async function cancellable<T>(id: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  aborts.set(id, abort);
  try {
    return await work(abort.signal);
  } finally {
    aborts.delete(id);
  }
}

function own(instance: ParaInstance, request: number): void {
  const owner = owners.get(instance);
  if (owner) owner.request = request;
}

/** Runs request `id` and posts its answer, with the round trips it made and the instance's last failure then. */
function answer(
  id: number,
  run: () => Promise<{ value: unknown; instance: ParaInstance | undefined }>,
  failureOnError: () => ParaFailure | undefined,
  withStats: boolean,
): void {
  const trips = collectTrips(id);
  const counters = () => (withStats ? { stats: stats() } : {});
  run().then(
    ({ value, instance }) => post({ t: "ok", id, value, failure: instance?.lastFailure(), trips: trips(), ...counters() }),
    (error: unknown) => post({ t: "err", id, error: toWire(error), failure: failureOnError(), trips: trips(), ...counters() }),
  );
}

let stopping = false;

port.on("message", (message: ToThread) => {
  switch (message.t) {
    case "acquire":
      answer(
        message.id,
        () => acquire(message.id).then((value) => ({ value, instance: undefined })),
        () => undefined,
        true,
      );
      return;
    case "op":
      answer(
        message.id,
        () => op(message),
        () => instances.get(message.instance)?.lastFailure(),
        message.op === "sign" || message.op === "signTransaction",
      );
      return;
    case "abort":
      aborts.get(message.id)?.abort();
      return;
    case "release":
      instances.delete(message.instance);
      return;
    case "reserved":
      reservations.get(message.id)?.(message.ok);
      reservations.delete(message.id);
      return;
    case "start":
      pool.start();
      return;
    case "stop":
      stopping = true;
      pool.stop();
      for (const settle of reservations.values()) settle(false);
      reservations.clear();
      void supervisor.stop(resetSigningWorker).finally(() => post({ t: "stopped" }));
      return;
  }
});

/** Warms the thread's signing worker, retrying (the supervisor's back-off paces it) until it is warm or stopping. */
function warm(): void {
  supervisor.ready().then(
    () => post({ t: "ready" }),
    () => {
      if (!stopping) setTimeout(warm, 2_000);
    },
  );
}
warm();
setInterval(() => post({ t: "stats", stats: stats() }), 1_000).unref();
