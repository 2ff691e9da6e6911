/**
 * What a quiet spell costs the load after it: para-signer's CPU per SignMessage call in short windows (c=64,
 * +20 ms, like the full run's turns), each after an idle gap, and its RSS at the end of each gap. The full run
 * gives each system traffic only in its turns, so every system idles ~30 s before each of its windows; this shows
 * what that idle does to one system alone (bench/results/memory-reducer.md).
 *
 *   flock /tmp/para-signer-tests.lock env BENCH_IDLE_GAPS_S=0,60,0,60,0 npx tsx bench/idle-gap.ts
 *   ... BENCH_SIGNER_NODE_ARGS=--memory-reducer ...   (V8's default, for comparison)
 *
 * Env: BENCH_IDLE_GAPS_S (0,60,0,60,0), BENCH_IDLE_WARMUP (6000 calls at c=16, +0 ms), BENCH_SESSIONS (256).
 * Prints one line per window; writes nothing.
 */
import { startBenchBackend } from "./backend.js";
import { runStep } from "./load.js";
import { CpuSecondsWindow, type CpuSeconds, readProc } from "./proc-sampler.js";
import { launch, systemSpecs } from "./systems.js";
import { createTarget } from "./target.js";
import { prepareAll } from "./workload.js";

const gaps = (process.env["BENCH_IDLE_GAPS_S"] ?? "0,60,0,60,0").split(",").map(Number);
const warmupCalls = Number(process.env["BENCH_IDLE_WARMUP"] ?? 6000);
const log = (msg: string) => process.stdout.write(`${msg}\n`);

async function main(): Promise<void> {
  const backend = await startBenchBackend(Number(process.env["BENCH_SESSIONS"] ?? 256));
  const spec = systemSpecs({ key: backend.key }).find((s) => s.id === "para-signer");
  if (!spec) throw new Error("no para-signer spec");
  const system = await launch(spec);
  const target = createTarget(system, 4);
  const send = target.sender(prepareAll("SignEvmEip191", backend.sessions));
  try {
    log(`para-signer, node ${spec.nodeArgs.join(" ")}`);
    backend.setLatency(0);
    const warm = await runStep(send, { concurrency: 16, warmupMs: 0, durationMs: Number.POSITIVE_INFINITY, maxRequests: warmupCalls });
    log(`warm-up: ${warm.ok} calls at c=16, ${warm.throughput.toFixed(0)}/s, RSS ${readProc(system.pid)?.rssMiB.toFixed(0)} MiB`);
    backend.setLatency(20);
    for (const gapS of gaps) {
      await new Promise((r) => setTimeout(r, gapS * 1000));
      const rss = readProc(system.pid)?.rssMiB ?? Number.NaN;
      const cpu = new CpuSecondsWindow([system.pid]);
      let used: CpuSeconds | undefined;
      // A turn as the full run takes it: a warm-up until every user has called once, then a 1.5 s window.
      const r = await runStep(
        send,
        { concurrency: 64, warmupMs: 300, durationMs: 1500, maxRequests: 5000, warmupCalls: backend.sessions.length, warmupMaxMs: 3000 },
        { onMeasureStart: () => cpu.start(), onMeasureEnd: () => (used = cpu.stop()) },
      );
      const perCall = (s: number | undefined) => ((s ?? Number.NaN) * 1000) / r.ok;
      log(
        `after ${gapS} s idle (RSS then ${rss.toFixed(0)} MiB): ${r.throughput.toFixed(0)} calls/s, CPU ${perCall(used?.cpuSeconds).toFixed(2)} ms/call (main thread ${perCall(used?.mainCpuSeconds).toFixed(2)})`,
      );
    }
  } finally {
    target.close();
    await system.stop();
    await backend.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
