/**
 * Cold start (issue 7): a freshly started server receives N concurrent first
 * SignMessage calls the moment its port accepts connections. Records how many
 * succeed, the child's thread count (each SDK signing worker is one more
 * thread) and its RSS, sampled every 20 ms through the burst and a short
 * settle period after it.
 */
import { ProcWindow, readProc } from "./proc-sampler.js";
import { launch, type SystemSpec } from "./systems.js";
import { createTarget } from "./target.js";
import type { PreparedRequest } from "./workload.js";

export interface ColdStartResult {
  system: string;
  label: string;
  calls: number;
  ok: number;
  errors: Record<string, number>;
  /** From the first call sent to the last answer. */
  burstMs: number;
  /** Threads when the port first accepted connections. */
  threadsAtListen: number;
  peakThreads: number;
  threadsAfter: number;
  /** VmHWM after the burst: the process's peak RSS. */
  peakRssMiB: number;
  rssAfterMiB: number;
}

const SETTLE_MS = 1_000;

export async function coldStart(spec: SystemSpec, requests: readonly PreparedRequest[], calls: number, connections: number): Promise<ColdStartResult> {
  const system = await launch(spec);
  const atListen = readProc(system.pid);
  const window = new ProcWindow(system.pid, 20);
  window.start();
  const target = createTarget(system, connections);
  try {
    const send = target.sender(requests);
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: calls }, (_, i) => send(i)));
    const burstMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const w = window.stop();
    const after = readProc(system.pid);
    const errors: Record<string, number> = {};
    for (const o of outcomes) if (o !== "OK") errors[o] = (errors[o] ?? 0) + 1;
    return {
      system: spec.id,
      label: spec.label,
      calls,
      ok: outcomes.filter((o) => o === "OK").length,
      errors,
      burstMs,
      threadsAtListen: atListen?.threads ?? Number.NaN,
      peakThreads: w.maxThreads,
      threadsAfter: after?.threads ?? Number.NaN,
      peakRssMiB: after?.peakRssMiB ?? w.peakRssMiB,
      rssAfterMiB: after?.rssMiB ?? Number.NaN,
    };
  } finally {
    target.close();
    await system.stop();
  }
}
