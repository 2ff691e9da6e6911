/**
 * Closed-loop load generation: `concurrency` virtual clients each send one request, wait for its answer, and send
 * the next. A step is one continuous run: a warm-up (unrecorded), then a measured window bounded both in time and
 * in completed calls, then the calls still in flight are awaited (unrecorded). The window counts the calls that
 * complete inside it, so it sees the steady state of the load: no step starts its window with every client's
 * first request arriving at once, nor ends it with a tail of fewer and fewer clients (which, at c=64 against
 * calls of half a second, made up most of a 1.5 s window and penalised whichever system had the slower tail).
 */
import type { Outcome } from "./grpc-client.js";
import { summarize, type LatencySummary } from "./stats.js";

/** Sends request number `i` (callers cycle through their prepared requests with it). */
export type Send = (i: number) => Promise<Outcome>;

export interface StepOptions {
  concurrency: number;
  /** Unrecorded warm-up; it also lasts until WARMUP_ROUNDS calls per client have completed. */
  warmupMs: number;
  durationMs: number;
  /** The window ends when this many calls have completed in it, if `durationMs` has not passed first. */
  maxRequests: number;
  /**
   * Completed calls the warm-up waits for besides (the bench: one per user, so per-user caches are as warm as
   * sustained traffic from those users keeps them).
   */
  warmupCalls?: number;
  /** The warm-up's waiting for calls ends after this long in any case (it lasts at least `warmupMs`). */
  warmupMaxMs?: number;
}

export interface StepResult {
  ok: number;
  errors: Record<string, number>;
  /** Latency of successful calls only (failures are often fast and would flatter the percentiles). */
  latency: LatencySummary;
  /** The measured window's length. */
  elapsedMs: number;
  /** Successful calls per second over the measured window. */
  throughput: number;
}

/** Optional hooks around the measured window (the process sampler starts and stops there). */
export interface StepHooks {
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

/**
 * Completed calls per client a warm-up waits for besides its time: every client has then gone round at least once
 * after the first burst, whatever the system's latency.
 */
const WARMUP_ROUNDS = 2;

export async function runStep(send: Send, opts: StepOptions, hooks: StepHooks = {}): Promise<StepResult> {
  const warmupCalls = opts.warmupMs > 0 ? Math.max(WARMUP_ROUNDS * opts.concurrency, opts.warmupCalls ?? 0) : 0;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let state: "warmup" | "measuring" | "done" = "warmup";
  let warmupElapsed = opts.warmupMs <= 0;
  let warmupCompleted = 0;
  /** The warm-up's wait for calls has run out of time (`warmupMaxMs`). */
  let warmupCapped = false;
  let windowStart = 0;
  let windowEnd = 0;
  let completedInWindow = 0;
  let windowTimer: NodeJS.Timeout | undefined;
  let next = 0;

  const endWindow = () => {
    if (state !== "measuring") return;
    state = "done";
    windowEnd = performance.now();
    clearTimeout(windowTimer);
    hooks.onMeasureEnd?.();
  };
  const startWindow = () => {
    if (state !== "warmup" || !warmupElapsed || (warmupCompleted < warmupCalls && !warmupCapped)) return;
    state = "measuring";
    // The window starts again from the first request (the first user): the users it reaches called during the
    // warm-up seconds ago, as each user of sustained traffic has, rather than (at low concurrency, where the
    // warm-up's time cap stops it short of every user) users last seen a whole turn of the other systems ago.
    if (warmupCalls > 0) next = 0;
    hooks.onMeasureStart?.();
    windowStart = performance.now();
    if (Number.isFinite(opts.durationMs)) windowTimer = setTimeout(endWindow, opts.durationMs);
    if (opts.maxRequests <= 0) endWindow();
  };
  const warmupTimer = opts.warmupMs > 0 ? setTimeout(() => ((warmupElapsed = true), startWindow()), opts.warmupMs) : undefined;
  const warmupCap =
    opts.warmupMs > 0 && opts.warmupMaxMs !== undefined
      ? setTimeout(() => ((warmupCapped = true), startWindow()), Math.max(opts.warmupMs, opts.warmupMaxMs))
      : undefined;
  startWindow();

  const client = async () => {
    while (state !== "done") {
      const t0 = performance.now();
      const outcome = await send(next++);
      const t1 = performance.now();
      if (state === "warmup") {
        warmupCompleted++;
        startWindow();
        continue;
      }
      // A call that completed after the window closed (its timer fired meanwhile) is not the window's.
      if (state !== "measuring") break;
      if (outcome === "OK") {
        ok++;
        latencies.push(t1 - t0);
      } else {
        errors[outcome] = (errors[outcome] ?? 0) + 1;
      }
      if (++completedInWindow >= opts.maxRequests) endWindow();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  clearTimeout(warmupTimer);
  clearTimeout(warmupCap);
  const elapsedMs = windowEnd - windowStart;
  return { ok, errors, latency: summarize(latencies), elapsedMs, throughput: elapsedMs > 0 ? (ok * 1000) / elapsedMs : 0 };
}
