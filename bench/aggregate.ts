/**
 * Folds the repeated rounds of each step into one cell per system (medians of the rounds, sums of the counts),
 * and pairs rounds for ratios: round r of system A is compared with round r of system B, measured in the same
 * round seconds apart, and the report gives the median of those paired ratios with their range.
 */
import type { RpcName } from "./config.js";
import type { BenchRun, StepRecord } from "./results.js";
import { median, ratio } from "./stats.js";

export interface StepKey {
  latencyMs: number;
  rpc: RpcName;
  concurrency: number;
}

export interface Cell {
  rounds: number;
  ok: number;
  errors: Record<string, number>;
  /** Medians over the rounds. */
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  cpuPercent: number;
  cpuMsPerCall: number;
  /** NaN for runs recorded before issue 18. */
  mainCpuPercent: number;
  mainCpuMsPerCall: number;
  benchCpuPercent: number;
  benchCpuMsPerCall: number;
  benchMainCpuPercent: number;
  othersCpuPercent: number;
  /** Maxima over the rounds. */
  peakRssMiB: number;
  maxThreads: number;
}

export interface PairedRatio {
  median: number;
  min: number;
  max: number;
  /** Rounds in which both systems have a value. */
  n: number;
}

export type Metric = (s: StepRecord) => number;
export const THROUGHPUT: Metric = (s) => s.throughput;
export const P50: Metric = (s) => s.latency.p50;
export const CPU_PER_CALL: Metric = (s) => s.cpuMsPerCall;
export const MAIN_CPU_PER_CALL: Metric = (s) => s.mainCpuMsPerCall ?? Number.NaN;
/** Runs recorded before issue 18 have no bench CPU per call: it follows from the bench CPU % over the same window. */
export const BENCH_CPU_PER_CALL: Metric = (s) => s.benchCpuMsPerCall ?? (s.ok > 0 ? ((s.benchCpuPercent / 100) * s.elapsedMs) / s.ok : Number.NaN);

export class RunView {
  constructor(private readonly run: BenchRun) {}

  steps(system: string, k: StepKey): StepRecord[] {
    return this.run.steps.filter((s) => s.system === system && s.latencyMs === k.latencyMs && s.rpc === k.rpc && s.concurrency === k.concurrency);
  }

  cell(system: string, k: StepKey): Cell | undefined {
    const rs = this.steps(system, k);
    if (rs.length === 0) return undefined;
    const errors: Record<string, number> = {};
    for (const r of rs) for (const [code, count] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + count;
    const med = (pick: Metric) => median(rs.map(pick));
    return {
      rounds: rs.length,
      ok: rs.reduce((sum, r) => sum + r.ok, 0),
      errors,
      throughput: med(THROUGHPUT),
      p50: med(P50),
      p90: med((s) => s.latency.p90),
      p99: med((s) => s.latency.p99),
      cpuPercent: med((s) => s.cpuPercent),
      cpuMsPerCall: med(CPU_PER_CALL),
      mainCpuPercent: med((s) => s.mainCpuPercent ?? Number.NaN),
      mainCpuMsPerCall: med(MAIN_CPU_PER_CALL),
      benchCpuPercent: med((s) => s.benchCpuPercent),
      benchCpuMsPerCall: med(BENCH_CPU_PER_CALL),
      benchMainCpuPercent: med((s) => s.benchMainCpuPercent ?? Number.NaN),
      othersCpuPercent: med((s) => s.othersCpuPercent ?? Number.NaN),
      peakRssMiB: maxOf(rs.map((r) => r.peakRssMiB)),
      maxThreads: maxOf(rs.map((r) => r.maxThreads)),
    };
  }

  /** metric(a) / metric(b), round by round. */
  paired(a: string, b: string, k: StepKey, metric: Metric): PairedRatio {
    const bs = new Map(this.steps(b, k).map((s) => [s.round ?? 0, s]));
    const ratios = this.steps(a, k)
      .map((s) => {
        const other = bs.get(s.round ?? 0);
        return other ? ratio(metric(s), metric(other)) : Number.NaN;
      })
      .filter(Number.isFinite);
    if (ratios.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), n: ratios.length };
  }
}

function maxOf(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length ? Math.max(...v) : Number.NaN;
}
