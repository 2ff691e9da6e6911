/**
 * `npm run bench:rss`: soak-lite for issue 7's memory criterion, "RSS flat
 * (within 50 MiB) over 50,000 CheckSession calls; no growth in handles or
 * worker threads". Drives para-signer (its own child process) with closed-loop
 * CheckSession calls and samples RSS, threads and open file descriptors every
 * BENCH_RSS_EVERY calls, after a warm-up. Writes bench/results/rss-soak.md.
 *
 * Env: BENCH_RSS_CALLS (50000), BENCH_RSS_CONCURRENCY (32), BENCH_RSS_EVERY (2500),
 * BENCH_RSS_WARMUP (2000), BENCH_RSS_LATENCY_MS (0), BENCH_SESSIONS (256), BENCH_CONNECTIONS (4).
 * Run under the shared port lock: flock /tmp/para-signer-tests.lock npm run bench:rss
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startBenchBackend } from "./backend.js";
import { runStep } from "./load.js";
import { readProc, type ProcReading } from "./proc-sampler.js";
import { launch, REPO_ROOT, type SystemSpec, systemSpecs } from "./systems.js";
import { createTarget } from "./target.js";
import { prepareAll } from "./workload.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const log = (msg: string) => process.stderr.write(`[rss ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const LIMIT_MIB = 50;

/**
 * The settings this soak reads, as given to this run: `env NAME=value … ` before the command. The service's own
 * SIGNER_* settings reach it through bench/systems.ts, so those given are named too, unless the system's spec sets
 * them itself (`fixed`).
 */
const SETTINGS = [
  "BENCH_RSS_CALLS",
  "BENCH_RSS_CONCURRENCY",
  "BENCH_RSS_EVERY",
  "BENCH_RSS_WARMUP",
  "BENCH_RSS_LATENCY_MS",
  "BENCH_SESSIONS",
  "BENCH_CONNECTIONS",
  // Read by bench/systems.ts for every para-signer system.
  "BENCH_SIGNER_NODE_ARGS",
  "BENCH_SYSTEM_CPUS",
];
function settings(fixed: Record<string, string>): string {
  const service = Object.keys(process.env)
    .filter((name) => name.startsWith("SIGNER_") && !(name in fixed))
    .sort();
  const given = [...SETTINGS, ...service].filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`);
  return given.length ? `env ${given.join(" ")} ` : "";
}

interface Sample extends ProcReading {
  calls: number;
  seconds: number;
  errors: number;
}

async function main(): Promise<void> {
  const calls = env("BENCH_RSS_CALLS", 50_000);
  const concurrency = env("BENCH_RSS_CONCURRENCY", 32);
  const every = env("BENCH_RSS_EVERY", 2_500);
  const warmup = env("BENCH_RSS_WARMUP", 2_000);
  const latencyMs = env("BENCH_RSS_LATENCY_MS", 0);
  const started = new Date();
  const backend = await startBenchBackend(env("BENCH_SESSIONS", 256));
  backend.setLatency(latencyMs);
  const spec = systemSpecs({ key: backend.key }).find((s) => s.id === "para-signer");
  if (!spec) throw new Error("no para-signer spec");
  const system = await launch(spec);
  const target = createTarget(system, env("BENCH_CONNECTIONS", 4));
  const send = target.sender(prepareAll("CheckSession", backend.sessions));
  const samples: Sample[] = [];
  try {
    const t0 = performance.now();
    const warm = await runStep(send, { concurrency, warmupMs: 0, durationMs: Number.POSITIVE_INFINITY, maxRequests: warmup });
    log(`warm-up: ${warm.ok} ok`);
    let done = 0;
    let errors = 0;
    const sample = () => {
      const r = readProc(system.pid);
      if (r) samples.push({ ...r, calls: done, seconds: (performance.now() - t0) / 1000, errors });
      if (r) log(`${done} calls: RSS ${r.rssMiB.toFixed(0)} MiB, threads ${r.threads}, fds ${r.fds}, errors ${errors}`);
    };
    sample();
    while (done < calls) {
      const r = await runStep(send, { concurrency, warmupMs: 0, durationMs: Number.POSITIVE_INFINITY, maxRequests: Math.min(every, calls - done) });
      done += r.ok + Object.values(r.errors).reduce((a, b) => a + b, 0);
      errors += Object.values(r.errors).reduce((a, b) => a + b, 0);
      sample();
    }
    const seconds = (performance.now() - t0) / 1000;
    writeFileSync(join(REPO_ROOT, "bench", "results", "rss-soak.md"), report(samples, { calls, concurrency, latencyMs, seconds, started, warmup, spec }));
    log(`done in ${seconds.toFixed(0)} s: bench/results/rss-soak.md`);
  } finally {
    target.close();
    await system.stop();
    await backend.stop();
  }
}

function report(
  samples: Sample[],
  o: { calls: number; concurrency: number; latencyMs: number; seconds: number; started: Date; warmup: number; spec: SystemSpec },
): string {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) return "no samples\n";
  const growth = last.rssMiB - first.rssMiB;
  const max = Math.max(...samples.map((s) => s.rssMiB));
  const min = Math.min(...samples.map((s) => s.rssMiB));
  const verdict = growth <= LIMIT_MIB && last.threads <= first.threads ? "PASS" : "FAIL";
  return [
    "# para-signer RSS soak-lite",
    "",
    `- **Command:** \`flock /tmp/para-signer-tests.lock ${settings(o.spec.env)}npm run bench:rss\` · **date** ${o.started.toISOString()} · **took** ${o.seconds.toFixed(0)} s · Node ${process.version}`,
    `- ${o.calls} CheckSession calls (extend=false) at concurrency ${o.concurrency}, +${o.latencyMs} ms per Para request, LOG_LEVEL=warn; samples every ${samples[1] ? samples[1].calls - first.calls : 0} calls after a warm-up of ${o.warmup} calls; para-signer runs as \`node ${o.spec.nodeArgs.join(" ")}\``,
    `- **RSS first-warm → last:** ${first.rssMiB.toFixed(0)} → ${last.rssMiB.toFixed(0)} MiB (${growth >= 0 ? "+" : ""}${growth.toFixed(0)} MiB; min ${min.toFixed(0)}, max ${max.toFixed(0)}; limit +${LIMIT_MIB} MiB) · **threads** ${first.threads} → ${last.threads} · **open fds** ${first.fds} → ${last.fds} · **errors** ${last.errors} · **${verdict}**`,
    "",
    "| calls | s | RSS MiB | peak RSS (VmHWM) MiB | threads | fds | errors |",
    "|---|---|---|---|---|---|---|",
    ...samples.map(
      (s) => `| ${s.calls} | ${s.seconds.toFixed(0)} | ${s.rssMiB.toFixed(0)} | ${s.peakRssMiB.toFixed(0)} | ${s.threads} | ${s.fds} | ${s.errors} |`,
    ),
    "",
  ].join("\n");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
