/**
 * When a system is warm: the settle criterion of the per-system warm-up (issue 18). A fresh Node process runs
 * its hot paths unoptimised at first; V8 needs some thousands of calls before the main thread's CPU per call
 * stops falling (issue 18: 7.4 → 4.1 ms per call over the first ~3,000 calls), and a step measured before
 * that measures the JIT, not the system.
 *
 * The warm-up runs windows of load and records each window's main-thread and whole-process CPU per successful
 * call. A system and RPC is settled once it has had at least `minCalls` warm-up calls of that RPC and, for both
 * series (a system's SDK work may run in worker threads, each an isolate with its own JIT), either
 *
 * - flat: each of the last `span` windows is within ±`tolerance` of their median, or
 * - plateau: the median of the last `span` windows differs by at most `tolerance` from the median of the
 *   `span` windows before them (a noisy but level series: single windows jump, their medians do not);
 *
 * and it gives up, unsettled, after `maxMs`. A window with no successful call has no CPU per call (NaN) and
 * breaks both tests, so a failing system never counts as settled.
 *
 * The minimum counts each RPC's own calls, not the system's: an RPC's paths are warmed by that RPC only. Counting
 * earlier RPCs' calls too let para-signer's SignMessage settle after 459 calls (three flat windows) in the full
 * run at 53fa2f2, at 10.5 ms of CPU per call against 7.2 ms once warm: its signing code runs in each SDK thread's
 * signing worker, an isolate CheckSession never touches, and each of them had seen about 230 signatures.
 */
import { median } from "./stats.js";

export interface SettleCriterion {
  /** Warm-up calls of this RPC before the system may count as settled for it. */
  minCalls: number;
  /** Longest warm-up, ms; past it the system is measured unsettled (and reported so). */
  maxMs: number;
  /** Relative tolerance, e.g. 0.05 for ±5%. */
  tolerance: number;
  /** Windows compared: the last `span` (flat), or the last `span` against the `span` before (plateau). */
  span: number;
}

export interface WarmupWindow {
  /** Successful calls in the window. */
  ok: number;
  /** All calls in the window, failed ones included. */
  calls: number;
  elapsedMs: number;
  /** Main-thread CPU per successful call, ms (NaN when none succeeded). */
  mainCpuMsPerCall: number;
  /** Whole-process CPU per successful call, ms. */
  cpuMsPerCall: number;
}

export type SettleVerdict = { done: false } | { done: true; settled: true; how: "flat" | "plateau" } | { done: true; settled: false; how: "timeout" };

/** Whether each value is within ±tolerance of their median (false for any non-finite value). */
export function withinTolerance(values: readonly number[], tolerance: number): boolean {
  if (values.length === 0 || !values.every(Number.isFinite)) return false;
  const m = median(values);
  return m > 0 && values.every((v) => Math.abs(v - m) <= tolerance * m);
}

/** Whether the last `span` values' median moved by at most `tolerance` from the `span` before them. */
export function plateaued(values: readonly number[], span: number, tolerance: number): boolean {
  if (values.length < 2 * span) return false;
  const last = values.slice(-span);
  const before = values.slice(-2 * span, -span);
  if (!last.every(Number.isFinite) || !before.every(Number.isFinite)) return false;
  const a = median(last);
  const b = median(before);
  return b > 0 && Math.abs(a - b) <= tolerance * b;
}

/** The verdict after this RPC's windows so far (`elapsedMs` since its warm-up began). */
export function settleVerdict(windows: readonly WarmupWindow[], elapsedMs: number, c: SettleCriterion): SettleVerdict {
  const calls = windows.reduce((sum, w) => sum + w.calls, 0);
  // Both series must settle: the main thread's, and the whole process's, where a system that runs its SDK work in
  // worker threads JIT-compiles it (each thread its own isolate, each seeing only its share of the calls).
  const series = [windows.map((w) => w.mainCpuMsPerCall), windows.map((w) => w.cpuMsPerCall)];
  if (calls >= c.minCalls && windows.length >= c.span) {
    const flat = series.map((values) => withinTolerance(values.slice(-c.span), c.tolerance));
    const level = series.map((values, i) => flat[i] || plateaued(values, c.span, c.tolerance));
    if (flat.every(Boolean)) return { done: true, settled: true, how: "flat" };
    if (level.every(Boolean)) return { done: true, settled: true, how: "plateau" };
  }
  if (elapsedMs >= c.maxMs) return { done: true, settled: false, how: "timeout" };
  return { done: false };
}

/** The criterion in words, for the report's header and the log. */
export function describeCriterion(c: SettleCriterion & { wholeProcess?: true }, windowMs: number, concurrency: number): string {
  const pct = `±${Math.round(c.tolerance * 100)}%`;
  const what = c.wholeProcess ? "both main-thread and whole-process CPU per call" : "main-thread CPU per call";
  return `windows of ${(windowMs / 1000).toFixed(1)} s at c=${concurrency} and +0 ms until the system has had at least ${c.minCalls} calls of that RPC and ${what} settled (the last ${c.span} windows within ${pct} of their median, or their median within ${pct} of the ${c.span} before), at most ${(c.maxMs / 1000).toFixed(0)} s per system and RPC`;
}
