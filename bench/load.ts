/**
 * Closed-loop load generation: `concurrency` virtual clients each send one
 * request, wait for its answer, and send the next. A step is a warm-up
 * (unrecorded) followed by a measured phase bounded both in time and in
 * request count; in-flight requests at the end are awaited and counted, so
 * every latency recorded is a complete call.
 */
import type { Outcome } from "./grpc-client.js";
import { summarize, type LatencySummary } from "./stats.js";

/** Sends request number `i` (callers cycle through their prepared requests with it). */
export type Send = (i: number) => Promise<Outcome>;

export interface StepOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
}

export interface StepResult {
  ok: number;
  errors: Record<string, number>;
  /** Latency of successful calls only (failures are often fast and would flatter the percentiles). */
  latency: LatencySummary;
  elapsedMs: number;
  /** Successful calls per second over the measured phase. */
  throughput: number;
}

interface Phase {
  latencies: number[];
  errors: Record<string, number>;
  ok: number;
}

async function runPhase(
  send: Send,
  concurrency: number,
  durationMs: number,
  maxRequests: number,
  counter: { i: number },
): Promise<Phase & { elapsedMs: number }> {
  const phase: Phase = { latencies: [], errors: {}, ok: 0 };
  const start = performance.now();
  const deadline = start + durationMs;
  let issued = 0;
  const client = async () => {
    while (issued < maxRequests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      const outcome = await send(counter.i++);
      const ms = performance.now() - t0;
      if (outcome === "OK") {
        phase.ok++;
        phase.latencies.push(ms);
      } else {
        phase.errors[outcome] = (phase.errors[outcome] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { ...phase, elapsedMs: performance.now() - start };
}

/** Optional hooks around the measured phase (the process sampler starts and stops there). */
export interface StepHooks {
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export async function runStep(send: Send, opts: StepOptions, hooks: StepHooks = {}): Promise<StepResult> {
  const counter = { i: 0 };
  if (opts.warmupMs > 0) await runPhase(send, opts.concurrency, opts.warmupMs, Number.POSITIVE_INFINITY, counter);
  hooks.onMeasureStart?.();
  const m = await runPhase(send, opts.concurrency, opts.durationMs, opts.maxRequests, counter);
  hooks.onMeasureEnd?.();
  return {
    ok: m.ok,
    errors: m.errors,
    latency: summarize(m.latencies),
    elapsedMs: m.elapsedMs,
    throughput: m.elapsedMs > 0 ? (m.ok * 1000) / m.elapsedMs : 0,
  };
}
