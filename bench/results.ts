/** What one bench run produced: the records the report and the chart are drawn from. */
import type { ColdStartResult } from "./cold-start.js";
import type { BenchConfig, RpcName } from "./config.js";
import type { LatencySummary } from "./stats.js";
import type { WarmupRecord } from "./warmup.js";

export interface StepRecord {
  system: string;
  latencyMs: number;
  rpc: RpcName;
  concurrency: number;
  /** Which repetition of the step (0-based); the systems take turns within a round. */
  round: number;
  ok: number;
  errors: Record<string, number>;
  throughput: number;
  latency: LatencySummary;
  elapsedMs: number;
  /** The system's CPU over the measured phase, % of one core (all its threads). */
  cpuPercent: number;
  /** The system's CPU time per successful call, ms. */
  cpuMsPerCall: number;
  /** The main thread's CPU over the measured phase, % of one core (summed over a cluster's processes); absent before issue 18. */
  mainCpuPercent?: number;
  /** The main thread's CPU time per successful call, ms; absent before issue 18. */
  mainCpuMsPerCall?: number;
  /** The busiest thread other than the main one (one process), % of one core; absent before issue 18's threads. */
  busiestThreadCpuPercent?: number;
  /** The same per successful call, ms. */
  busiestThreadCpuMsPerCall?: number;
  peakRssMiB: number;
  maxThreads: number;
  /** The bench process (backend + load generator) over the same window, % of one core. */
  benchCpuPercent: number;
  /**
   * The bench process's CPU per successful call, ms: the load generator's cost per call where the local Para
   * backend does no per-call work (VerifySession by JWT: keys cached on both sides); absent before issue 18.
   */
  benchCpuMsPerCall?: number;
  /** The bench process's main thread (generator and backend), % of one core; absent before issue 18. */
  benchMainCpuPercent?: number;
  /** All the other (idle) systems together over the same window, % of one core: they share the machine. */
  othersCpuPercent: number;
}

export interface SystemRecord {
  id: string;
  label: string;
  protocol: string;
  /** From spawn to the port accepting connections. */
  startMs: number;
  idleRssMiB: number;
  idleThreads: number;
  /** VmHWM at the end of its run. */
  peakRssMiB: number;
  threadsAtEnd: number;
  /** The warm-up of each RPC before the measured steps: settled or not, after how many calls; absent before issue 18. */
  warmup?: WarmupRecord[];
}

export interface BenchRun {
  config: BenchConfig;
  command: string;
  startedAt: Date;
  durationS: number;
  node: string;
  cpus: string;
  cores: number;
  memGiB: number;
  /** git HEAD and the src/ files changed in the working tree when the run started. */
  source: string;
  systems: SystemRecord[];
  steps: StepRecord[];
  cold: ColdStartResult[];
  otlp?: { requests: number; bytes: number };
}
