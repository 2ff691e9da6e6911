/**
 * The per-system warm-up before any measured step: for each RPC, windows of unrecorded load until the
 * system's main-thread CPU per call has settled (bench/settle.ts), or the time limit. What each warm-up
 * took is recorded, so the report says which systems were measured warm.
 */
import { runStep, type Send } from "./load.js";
import { CpuSecondsWindow, type CpuSeconds } from "./proc-sampler.js";
import { settleVerdict, type SettleCriterion, type WarmupWindow } from "./settle.js";
import type { RpcName } from "./config.js";

export interface WarmupOptions extends SettleCriterion {
  /** Length of one window (one point of the settle test). */
  windowMs: number;
  concurrency: number;
}

export interface WarmupRecord {
  rpc: RpcName;
  settled: boolean;
  /** "flat", "plateau" or "timeout" (see settle.ts). */
  how: string;
  /** Calls sent during this RPC's warm-up, failed ones included. */
  calls: number;
  elapsedMs: number;
  /** Main-thread and whole-process CPU ms per call of every window, in order (the JIT curve). */
  mainCpuMsPerCall: number[];
  cpuMsPerCall: number[];
}

export async function warmUntilSettled(send: Send, pid: number, rpc: RpcName, o: WarmupOptions): Promise<WarmupRecord> {
  const windows: WarmupWindow[] = [];
  const started = performance.now();
  for (;;) {
    const cpu = new CpuSecondsWindow([pid]);
    let used: CpuSeconds | undefined;
    const r = await runStep(
      send,
      { concurrency: o.concurrency, warmupMs: 0, durationMs: o.windowMs, maxRequests: Number.POSITIVE_INFINITY },
      { onMeasureStart: () => cpu.start(), onMeasureEnd: () => (used = cpu.stop()) },
    );
    const failed = Object.values(r.errors).reduce((sum, n) => sum + n, 0);
    const perCall = (seconds: number | undefined) => (r.ok > 0 && seconds !== undefined ? (seconds * 1000) / r.ok : Number.NaN);
    windows.push({
      ok: r.ok,
      calls: r.ok + failed,
      elapsedMs: r.elapsedMs,
      mainCpuMsPerCall: perCall(used?.mainCpuSeconds),
      cpuMsPerCall: perCall(used?.cpuSeconds),
    });
    const verdict = settleVerdict(windows, performance.now() - started, o);
    if (verdict.done) {
      return {
        rpc,
        settled: verdict.settled,
        how: verdict.how,
        calls: windows.reduce((sum, w) => sum + w.calls, 0),
        elapsedMs: performance.now() - started,
        mainCpuMsPerCall: windows.map((w) => w.mainCpuMsPerCall),
        cpuMsPerCall: windows.map((w) => w.cpuMsPerCall),
      };
    }
  }
}
