import type { Meter } from "@opentelemetry/api";
import * as sc from "./semconv.js";

/** What the Para boundary's `stats()` reports (src/para/boundary.ts): its instance pool's and signing worker's counters. */
export interface BoundaryState {
  stats(): {
    pool: { handouts: number; fromPool: number; waiting: number };
    worker: { convicted: number; warmups: number; refused: number; startFailures: number; quarantined: number };
    threads: { configured: number; ready: number; crashes: number; replacements: number };
  };
}

/**
 * Asynchronous instruments over the Para boundary's own counters, read only when the SDK collects, so the hot
 * path pays nothing:
 * - `para_signer.pool.idle_instances`: pre-constructed SDK instances waiting (gauge);
 * - `para_signer.pool.handouts`: calls that got an instance, by `para.pool.source` (`pool`: pre-constructed;
 *   `constructed`: built on the call's own time, i.e. the pool ran dry);
 * - `para_signer.signing_worker.events`: worker warm-ups, start failures, convictions (a job that crashed the worker
 *   alone) and refusals (a held wallet refused at once), by `para.worker.event`;
 * - `para_signer.signing_worker.held_wallets`: wallets held after such a crash (gauge; a count, never which);
 * - `para_signer.sdk_threads.ready`: SDK threads that can serve (gauge; 0 with SIGNER_SDK_THREADS=0, where the SDK
 *   runs on the main thread);
 * - `para_signer.sdk_threads.events`: SDK thread crashes and replacements, by `para.sdk_thread.event`.
 */
export function registerBoundaryMetrics(meter: Meter, boundary: BoundaryState): void {
  meter
    .createObservableGauge(sc.METRIC_POOL_IDLE, { unit: "{instance}", description: "Pre-constructed Para SDK instances waiting for a call." })
    .addCallback((r) => r.observe(boundary.stats().pool.waiting));
  meter
    .createObservableCounter(sc.METRIC_POOL_HANDOUTS, { unit: "{call}", description: "Calls that got a Para SDK instance, by where it came from." })
    .addCallback((r) => {
      const { handouts, fromPool } = boundary.stats().pool;
      r.observe(fromPool, { [sc.ATTR_POOL_SOURCE]: "pool" });
      r.observe(handouts - fromPool, { [sc.ATTR_POOL_SOURCE]: "constructed" });
    });
  meter
    .createObservableCounter(sc.METRIC_WORKER_EVENTS, { unit: "{event}", description: "Signing worker warm-ups, start failures, convictions and refusals." })
    .addCallback((r) => {
      const s = boundary.stats().worker;
      r.observe(s.warmups, { [sc.ATTR_WORKER_EVENT]: "warmup" });
      r.observe(s.startFailures, { [sc.ATTR_WORKER_EVENT]: "start_failure" });
      r.observe(s.convicted, { [sc.ATTR_WORKER_EVENT]: "conviction" });
      r.observe(s.refused, { [sc.ATTR_WORKER_EVENT]: "refusal" });
    });
  meter
    .createObservableGauge(sc.METRIC_WORKER_HELD_WALLETS, { unit: "{wallet}", description: "Wallets held after their signing job crashed the worker alone." })
    .addCallback((r) => r.observe(boundary.stats().worker.quarantined));
  meter
    .createObservableGauge(sc.METRIC_SDK_THREADS_READY, { unit: "{thread}", description: "SDK worker threads that can serve calls." })
    .addCallback((r) => r.observe(boundary.stats().threads.ready));
  meter
    .createObservableCounter(sc.METRIC_SDK_THREAD_EVENTS, { unit: "{event}", description: "SDK worker thread crashes and replacements." })
    .addCallback((r) => {
      const s = boundary.stats().threads;
      r.observe(s.crashes, { [sc.ATTR_SDK_THREAD_EVENT]: "crash" });
      r.observe(s.replacements, { [sc.ATTR_SDK_THREAD_EVENT]: "replacement" });
    });
}
