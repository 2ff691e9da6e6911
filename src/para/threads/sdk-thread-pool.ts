import { type Context, context, ROOT_CONTEXT } from "@opentelemetry/api";
import { withinSpanOrSuppressed } from "../../telemetry/call-trace.js";
import { suppressTracing } from "@opentelemetry/core";
import { Code } from "@connectrpc/connect";
import { retryable } from "../../errors/error-model.js";
import { untilAborted } from "../bounded.js";
import type { ParaRoundTrip } from "../para-endpoints.js";
import type { ParaInstanceSource } from "../para-gateway.js";
import type { ParaInstance } from "../sdk/para-instance.js";
import { type OpAnswer, remoteParaInstance } from "./remote-para-instance.js";
import { type FromThread, fromWire, type ThreadStats, type ToThread } from "./sdk-thread-protocol.js";

/** What the pool needs of a thread (a worker_threads Worker; tests use fakes). */
export interface ThreadHandle {
  postMessage(message: ToThread): void;
  on(event: "message", listener: (message: FromThread) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "exit", listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export interface SdkThreadPoolOptions {
  count: number;
  spawn: (index: number) => ThreadHandle;
  /** Records a round trip an SDK thread reported; called inside the trace context of the request it happened under. */
  onRoundTrip: (trip: ParaRoundTrip) => void;
  /** Admission for a background construction's round trips (the main thread's ParaAdmission). */
  reserveConstruction: () => Promise<void>;
  /** The SDK's console output from a thread, already redacted there. */
  log?: (text: string, thread: number) => void;
  /** Told whenever whether any thread can serve changes. */
  onAvailability?: (available: boolean) => void;
  /** A crashed thread is replaced after this, doubling to `maxBackoffMs` while replacements keep failing. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long stop() waits for a thread to stop its signing worker before terminating it. */
  stopTimeoutMs?: number;
}

/** Read-only counters of the SDK threads (boundary.stats(), telemetry/boundary-metrics.ts). */
export interface SdkThreadStats {
  configured: number;
  ready: number;
  crashes: number;
  replacements: number;
}

/** A thread that stays up this long has recovered: the next crash starts the back-off again from its minimum. */
const HEALTHY_AFTER_MS = 30_000;
const RETRY_AFTER_MS = 2_000;

interface Pending {
  settle: (answer: OpAnswer) => void;
  fail: (error: Error) => void;
}

interface Held {
  thread: Thread;
  instance: number;
  acquireId: number;
}

interface Thread {
  index: number;
  handle: ThreadHandle;
  state: "starting" | "ready" | "dead" | "stopped";
  startedAt: number;
  pending: Map<number, Pending>;
  stats: ThreadStats | undefined;
  stopped: Promise<void>;
  markStopped: () => void;
}

const zeroStats = (): ThreadStats => ({
  pool: { handouts: 0, fromPool: 0, waiting: 0 },
  worker: { convicted: 0, warmups: 0, refused: 0, startFailures: 0, quarantined: 0 },
});

/** A thread died under these calls (or was gone when they came): they fail, retryable; other threads' calls do not. */
export function threadUnavailable(): Error {
  return retryable(Code.Unavailable, "para sdk thread unavailable", "PARA_UNAVAILABLE", RETRY_AFTER_MS);
}

/**
 * The SDK's per-call work in worker threads (docs/para-sdk.md §2 "SDK threads"), as a source of instances for the
 * gateway: each `acquire` goes to the least-loaded ready thread (fewest requests in progress there) and returns a
 * remote instance bound to that thread for the rest of its call. A thread that dies fails only its own calls
 * (UNAVAILABLE, with RetryInfo) and is replaced after a back-off; its counters are kept.
 */
export class SdkThreadPool implements ParaInstanceSource {
  private readonly threads: Array<Thread | undefined>;
  private nextId = 0;
  private started = false;
  private stopping = false;
  private backoffMs: number[];
  private readonly retired = zeroStats();
  private crashes = 0;
  private replacements = 0;
  private available = false;
  private rotate = 0;
  /** The trace context of each request in flight (and of each acquire until its instance is released). */
  private readonly contexts = new Map<number, Context>();
  private readyWaiters: Array<() => void> = [];
  /** Where each handed-out instance lives, until the gateway releases it. */
  private readonly held = new WeakMap<ParaInstance, Held>();
  /** A backstop for an instance dropped without release (a bug): its thread forgets it once it is collected here. */
  private readonly collected = new FinalizationRegistry<Held>((held) => this.forget(held));

  constructor(private readonly options: SdkThreadPoolOptions) {
    this.threads = new Array<Thread | undefined>(options.count).fill(undefined);
    this.backoffMs = new Array<number>(options.count).fill(0);
    for (let i = 0; i < options.count; i++) this.spawn(i);
  }

  /** Resolves once some thread's signing worker is warm. */
  ready(): Promise<void> {
    if (this.stopping) return Promise.reject(threadUnavailable());
    if (this.available) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Starts the threads' instance pools (now and in every replacement). */
  start(): void {
    this.started = true;
    for (const thread of this.threads) if (thread?.state === "ready") thread.handle.postMessage({ t: "start" });
  }

  /** Instances waiting in the threads' pools, as they last reported (admission counts a construction when none waits). */
  get size(): number {
    let waiting = 0;
    for (const thread of this.threads) if (thread?.state === "ready") waiting += thread.stats?.pool.waiting ?? 0;
    return waiting;
  }

  /** Whether some thread can serve now. */
  get isAvailable(): boolean {
    return this.available;
  }

  stats(): ThreadStats & { threads: SdkThreadStats } {
    const total = structuredClone(this.retired);
    total.worker.quarantined = 0;
    let ready = 0;
    for (const thread of this.threads) {
      if (thread?.state === "ready") ready++;
      if (!thread?.stats || thread.state === "dead") continue;
      addStats(total, thread.stats);
    }
    return { ...total, threads: { configured: this.options.count, ready, crashes: this.crashes, replacements: this.replacements } };
  }

  async acquire(signal: AbortSignal): Promise<ParaInstance> {
    // The caller's trace context, read before any await (no context crosses one: telemetry/sync-context-manager.ts).
    const traceContext = withinSpanOrSuppressed(context.active());
    // A call that comes while the threads are still starting (a fresh process, a replacement) waits for one, as a
    // call waits for the signing worker with the SDK on the main thread; with every thread dead it fails at once.
    if (!this.available && !this.stopping && this.threads.some((t) => t?.state === "starting")) await untilAborted(this.ready(), signal);
    const thread = this.leastLoaded();
    if (!thread) throw threadUnavailable();
    const id = this.nextId++;
    this.contexts.set(id, traceContext);
    const answer = await this.request(thread, { t: "acquire", id }, id).catch((error: unknown) => {
      this.contexts.delete(id);
      throw error;
    });
    if (!answer.ok) {
      this.contexts.delete(id);
      throw answer.error;
    }
    const number = answer.value as number;
    const instance = remoteParaInstance((op, args, extra) => {
      const opId = this.nextId++;
      if (thread.state !== "ready") return Promise.reject(threadUnavailable());
      this.contexts.set(opId, withinSpanOrSuppressed(context.active()));
      const { signal } = extra;
      const onAbort = () => thread.handle.postMessage({ t: "abort", id: opId });
      signal?.addEventListener("abort", onAbort, { once: true });
      return this.request(thread, { t: "op", id: opId, instance: number, op, args, ...(extra.signer ? { signer: extra.signer } : {}) }, opId).finally(() => {
        signal?.removeEventListener("abort", onAbort);
        this.contexts.delete(opId);
      });
    });
    const held: Held = { thread, instance: number, acquireId: id };
    this.held.set(instance, held);
    this.collected.register(instance, held, held);
    return instance;
  }

  /** The call is done with `instance`: its thread forgets it now, not when this side's proxy is collected. */
  release(instance: ParaInstance): void {
    const held = this.held.get(instance);
    if (!held) return;
    this.held.delete(instance);
    this.collected.unregister(held);
    this.forget(held);
  }

  private forget({ thread, instance, acquireId }: Held): void {
    this.contexts.delete(acquireId);
    if (thread.state === "ready" || thread.state === "starting") thread.handle.postMessage({ t: "release", instance });
  }

  /** Stops every thread: each stops its pool and its signing worker, then is terminated. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const timeoutMs = this.options.stopTimeoutMs ?? 5_000;
    await Promise.all(
      this.threads.map(async (thread) => {
        if (!thread || thread.state === "dead" || thread.state === "stopped") return;
        thread.handle.postMessage({ t: "stop" });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([thread.stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
        clearTimeout(timer);
        thread.state = "stopped";
        this.failPending(thread);
        await thread.handle.terminate();
      }),
    );
    this.updateAvailability();
  }

  private leastLoaded(): Thread | undefined {
    let best: Thread | undefined;
    const n = this.threads.length;
    this.rotate = (this.rotate + 1) % Math.max(n, 1);
    for (let k = 0; k < n; k++) {
      const thread = this.threads[(this.rotate + k) % n];
      if (thread?.state !== "ready") continue;
      if (!best || thread.pending.size < best.pending.size) best = thread;
    }
    return best;
  }

  private request(thread: Thread, message: ToThread, id: number): Promise<OpAnswer> {
    return new Promise<OpAnswer>((settle, fail) => {
      thread.pending.set(id, { settle, fail });
      thread.handle.postMessage(message);
    });
  }

  private spawn(index: number): void {
    let markStopped: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const handle = this.options.spawn(index);
    const thread: Thread = { index, handle, state: "starting", startedAt: Date.now(), pending: new Map(), stats: undefined, stopped, markStopped };
    this.threads[index] = thread;
    handle.on("message", (message) => this.onMessage(thread, message));
    handle.on("error", () => this.onDeath(thread));
    handle.on("exit", () => this.onDeath(thread));
  }

  private onMessage(thread: Thread, message: FromThread): void {
    switch (message.t) {
      case "ready":
        if (thread.state !== "starting") return;
        thread.state = "ready";
        if (this.started) thread.handle.postMessage({ t: "start" });
        this.updateAvailability();
        return;
      case "ok":
      case "err": {
        // Its round trips first, in the request's trace context (kept until the request settles).
        this.recordTrips(message.trips, message.id);
        if (message.stats) thread.stats = message.stats;
        const pending = thread.pending.get(message.id);
        thread.pending.delete(message.id);
        if (message.t === "ok") pending?.settle({ ok: true, value: message.value, failure: message.failure });
        else pending?.settle({ ok: false, error: fromWire(message.error), failure: message.failure });
        return;
      }
      case "trips":
        for (const { ctx, trip } of message.trips) this.recordTrips([trip], ctx);
        return;
      case "reserve":
        this.options.reserveConstruction().then(
          () => thread.state !== "dead" && thread.handle.postMessage({ t: "reserved", id: message.id, ok: true }),
          () => thread.state !== "dead" && thread.handle.postMessage({ t: "reserved", id: message.id, ok: false }),
        );
        return;
      case "stats":
        thread.stats = message.stats;
        return;
      case "log":
        this.options.log?.(message.text, thread.index);
        return;
      case "stopped":
        thread.markStopped();
        return;
    }
  }

  private onDeath(thread: Thread): void {
    if (thread.state === "dead" || thread.state === "stopped" || this.threads[thread.index] !== thread) return;
    thread.state = "dead";
    this.crashes++;
    if (thread.stats) {
      addStats(this.retired, thread.stats);
      this.retired.pool.waiting = 0;
      this.retired.worker.quarantined = 0;
    }
    this.failPending(thread);
    this.updateAvailability();
    const { minBackoffMs = 250, maxBackoffMs = 30_000 } = this.options;
    const previous = Date.now() - thread.startedAt > HEALTHY_AFTER_MS ? 0 : (this.backoffMs[thread.index] ?? 0);
    const delay = Math.min(Math.max(previous * 2, minBackoffMs), maxBackoffMs);
    this.backoffMs[thread.index] = delay;
    setTimeout(() => {
      if (this.stopping) return;
      this.replacements++;
      this.spawn(thread.index);
    }, delay).unref();
  }

  /** Records round trips a thread reported, inside the trace context of request `ctx` when it is still known. */
  private recordTrips(trips: ParaRoundTrip[], ctx: number | undefined): void {
    if (trips.length === 0) return;
    const active = (ctx !== undefined ? this.contexts.get(ctx) : undefined) ?? suppressTracing(ROOT_CONTEXT);
    context.with(active, () => {
      for (const trip of trips) this.options.onRoundTrip(trip);
    });
  }

  private failPending(thread: Thread): void {
    const pending = [...thread.pending.values()];
    thread.pending.clear();
    for (const p of pending) p.fail(threadUnavailable());
  }

  private updateAvailability(): void {
    const available = !this.stopping && this.threads.some((t) => t?.state === "ready");
    if (available === this.available) return;
    this.available = available;
    if (available) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const wake of waiters) wake();
    }
    this.options.onAvailability?.(available);
  }
}

function addStats(into: ThreadStats, from: ThreadStats): void {
  for (const key of Object.keys(into.pool) as Array<keyof ThreadStats["pool"]>) into.pool[key] += from.pool[key];
  for (const key of Object.keys(into.worker) as Array<keyof ThreadStats["worker"]>) into.worker[key] += from.worker[key];
}
