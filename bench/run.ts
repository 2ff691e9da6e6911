/**
 * `npm run bench`: the load benchmark of issue 7. One in-process local Para
 * backend with a configurable added latency; para-signer (tracing off and
 * on, one and two processes), the docs' Express pattern and the floor, each
 * its own child process, all up at once and measured in turns under the same
 * closed-loop load; then the cold-start burst. Writes bench/results/latest.md,
 * latest.svg and latest.json.
 *
 * Run under the shared port lock: flock /tmp/para-signer-tests.lock npm run bench
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import { startBenchBackend, type BenchBackend } from "./backend.js";
import { coldStart, type ColdStartResult } from "./cold-start.js";
import { batchComparison, renderBatch } from "./batch.js";
import { forgerComparison, renderForgers } from "./forgers.js";
import { benchConfig, type BenchConfig, type RpcName } from "./config.js";
import { runStep } from "./load.js";
import { startOtlpSink } from "./otlp-sink.js";
import { BusiestThreadWindow, CpuSecondsWindow, ProcWindow, readProcTree, SelfCpuWindow, type ProcReading, type WindowStats } from "./proc-sampler.js";
import { describeCriterion } from "./settle.js";
import { warmUntilSettled, type WarmupRecord } from "./warmup.js";
import { renderReport } from "./report.js";
import type { BenchRun, StepRecord, SystemRecord } from "./results.js";
import { renderChart } from "./svg.js";
import { launch, REPO_ROOT, systemSpecs, type RunningSystem, type SystemSpec } from "./systems.js";
import { createTarget, type Target } from "./target.js";
import { prepareAll, type PreparedRequest } from "./workload.js";

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");

async function main(): Promise<void> {
  const config = benchConfig();
  const startedAt = new Date();
  const resultsDir = join(REPO_ROOT, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const baseline = checkoutBaseline();
  log(`minting ${config.sessions} sessions on the local Para backend (ports 8080/3003)`);
  const backend = await startBenchBackend(config.sessions);
  const sink = config.tracing ? await startOtlpSink() : undefined;
  try {
    const prepared = new Map<RpcName, PreparedRequest[]>(config.rpcs.map((rpc) => [rpc, prepareAll(rpc, backend.sessions)]));
    const specs = systemSpecs({
      key: backend.key,
      ...(sink ? { otlpUrl: sink.url } : {}),
      ...(config.cpuProf ? { cpuProfDir: join(resultsDir, "prof") } : {}),
    }).filter((s) => config.systems.includes(s.id));
    const steps: StepRecord[] = [];
    const systems = await runAllSystems(specs, config, backend, prepared, steps);

    const cold: ColdStartResult[] = [];
    if (config.coldStart) {
      backend.setLatency(config.coldStartLatencyMs, config.coldStartDownloadMs);
      // Distinct users: every call is that user's first.
      const firstCalls = prepareAll("SignEvmEip191", backend.sessions.slice(0, config.coldStartCalls));
      for (const spec of specs.filter((s) => s.id === "para-signer" || s.id === "express-pattern")) {
        log(`cold start: ${spec.id}, ${config.coldStartCalls} concurrent first SignMessage calls at ${config.coldStartLatencyMs} ms`);
        const r = await coldStart(spec, firstCalls, config.coldStartCalls, config.connections);
        log(`  ${r.ok}/${r.calls} ok in ${fmt(r.burstMs)} ms, threads ${r.threadsAtListen} → peak ${r.peakThreads}, peak RSS ${fmt(r.peakRssMiB)} MiB`);
        cold.push(r);
      }
      backend.setLatency(0);
    }

    if (process.env["BENCH_FORGERS"] !== "0") {
      const o = { honest: 8, attackers: 4, latencyMs: 20, rounds: config.rounds, durationMs: 8_000, connections: config.connections };
      log(`forgers: ${o.honest} honest signers with and without ${o.attackers} attackers, ${o.rounds} rounds`);
      const turns = await forgerComparison(backend, o, log);
      writeFileSync(join(resultsDir, "forgers.md"), renderForgers(turns, o, `${commandLine()} (the forgers part of it)`));
    }

    if (process.env["BENCH_BATCH"] !== "0") {
      const o = { sizes: [10, 50], rounds: config.rounds, latencyMs: 20, connections: config.connections };
      log(`batch: SignMessages of ${o.sizes.join(" and ")} against as many SignMessage calls, ${o.rounds} rounds`);
      const turns = await batchComparison(backend, o, log);
      writeFileSync(join(resultsDir, "batch.md"), renderBatch(turns, o, `${commandLine()} (the batch part of it)`));
    }

    const cpus = os.cpus();
    const run: BenchRun = {
      config,
      command: commandLine(),
      startedAt,
      durationS: (Date.now() - startedAt.getTime()) / 1000,
      node: process.version,
      cpus: cpus[0]?.model ?? "unknown",
      cores: cpus.length,
      memGiB: os.totalmem() / 2 ** 30,
      source: sourceState(),
      systems,
      steps,
      cold,
      ...(sink ? { otlp: { requests: sink.requests, bytes: sink.bytes } } : {}),
    };
    const out = join(resultsDir, config.outName);
    writeFileSync(`${out}.md`, renderReport(run));
    writeFileSync(`${out}.svg`, renderChart(run));
    writeFileSync(`${out}.json`, JSON.stringify(run, null, 2));
    log(`done in ${fmt(run.durationS)} s: bench/results/${config.outName}.md, .svg, .json`);
  } finally {
    await sink?.close();
    await backend.stop();
    baseline?.remove();
  }
}

/**
 * BENCH_BASELINE_REF=<commit>: a detached worktree of that commit (sharing this checkout's node_modules), run as
 * the system `para-signer-baseline` in the same rounds, so a change is measured against the code before it.
 */
function checkoutBaseline(): { remove(): void } | undefined {
  const ref = process.env["BENCH_BASELINE_REF"];
  if (!ref) return undefined;
  const dir = join(os.tmpdir(), `para-signer-baseline-${ref.replace(/[^\w.-]/g, "_")}`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, stdio: "ignore" });
  try {
    git("worktree", "remove", "--force", dir);
  } catch {
    // none left over from an earlier run
  }
  git("worktree", "add", "--detach", dir, ref);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  process.env["BENCH_BASELINE_DIR"] = dir;
  return { remove: () => git("worktree", "remove", "--force", dir) };
}

/** Time every process of a node:cluster system needs to be listening (each starts in ~1.5 s, in parallel). */
const CLUSTER_START_MS = 6_000;

/** Pause after each turn. */
const SETTLE_MS = 300;

interface Live {
  spec: SystemSpec;
  system: RunningSystem;
  target: Target;
  startMs: number;
  idle: ProcReading | undefined;
  launchedAt: number;
  warmup: WarmupRecord[];
}

/**
 * Starts every system, warms each one up, then runs every latency × RPC × concurrency step `rounds` times with
 * the systems taking turns (the order rotates each round). All systems stay up for the whole run, idle while
 * another is measured, so each comparison is made minutes (not seconds) apart at worst and the machine's drift
 * falls on all of them alike; the idle ones' CPU is recorded with each step to show they stay out of the way.
 */
async function runAllSystems(
  specs: SystemSpec[],
  config: BenchConfig,
  backend: BenchBackend,
  prepared: Map<RpcName, PreparedRequest[]>,
  steps: StepRecord[],
): Promise<SystemRecord[]> {
  const live: Live[] = [];
  try {
    for (const spec of specs) {
      backend.setLatency(0);
      const launchedAt = performance.now();
      const system = await launch(spec);
      const startMs = performance.now() - launchedAt;
      const target = createTarget(system, config.connections);
      const idle = readProcTree(system.pid);
      live.push({ spec, system, target, startMs, idle, launchedAt, warmup: [] });
      await ready(target, prepared.get("CheckSession") ?? prepareAll("CheckSession", backend.sessions), spec.id);
      log(`${spec.id}: pid ${system.pid}, listening after ${fmt(startMs)} ms, idle RSS ${fmt(idle?.rssMiB ?? NaN)} MiB`);
    }
    // Fresh connections, opened only now: a multi-process system (node:cluster) hands each connection to one of its
    // processes when it is accepted, so connections opened by the readiness check, while its second process was
    // still starting, would all stay with the first one for the whole run.
    for (const l of live) {
      if (l.spec.env["SIGNER_WORKERS"]) await new Promise((r) => setTimeout(r, Math.max(0, l.launchedAt + CLUSTER_START_MS - performance.now())));
      l.target.close();
      l.target = createTarget(l.system, config.connections);
    }
    const w = config.warmup;
    if (w.maxMs > 0) {
      log(`warming up every system (not recorded): ${describeCriterion(w, w.windowMs, w.concurrency)}`);
      for (const l of live) {
        for (const rpc of config.rpcs) {
          const r = await warmUntilSettled(l.target.sender(prepared.get(rpc) ?? []), l.system.pid, rpc, w);
          l.warmup.push(r);
          const curve = r.mainCpuMsPerCall.map((v) => fmt(v, 2)).join(" ");
          log(
            `${l.spec.id} ${rpc}: ${r.settled ? `settled (${r.how})` : "NOT settled"} after ${r.calls} calls, ${fmt(r.elapsedMs / 1000, 1)} s; main-thread ms/call per window: ${curve}`,
          );
        }
      }
    }
    let stepSeed = 0;
    for (const latencyMs of config.latenciesMs) {
      backend.setLatency(latencyMs);
      for (const rpc of config.rpcs) {
        for (const concurrency of config.concurrencies) {
          for (let round = 0; round < config.rounds; round++) {
            // A fresh order every round, so whatever a turn leaves behind (GC, pool refills) does not always land on
            // the same next system, and every system opens some steps. Seeded: reruns take the same turns.
            for (const l of shuffled(live, ++stepSeed)) {
              const others = live.filter((o) => o !== l);
              steps.push(await measureStep(l, others, { latencyMs, rpc, concurrency, round }, config, prepared));
              // Let the system just measured finish its after-work (pool refills, span exports) before the next turn.
              await new Promise((r) => setTimeout(r, SETTLE_MS));
            }
          }
        }
      }
    }
    return live.map(({ spec, startMs, idle, system, warmup }) => {
      const end = readProcTree(system.pid);
      return {
        id: spec.id,
        label: spec.label,
        protocol: spec.protocol,
        startMs,
        idleRssMiB: idle?.rssMiB ?? Number.NaN,
        idleThreads: idle?.threads ?? Number.NaN,
        peakRssMiB: end?.peakRssMiB ?? Number.NaN,
        threadsAtEnd: end?.threads ?? Number.NaN,
        warmup,
      };
    });
  } finally {
    for (const l of live) {
      l.target.close();
      await l.system.stop();
    }
    backend.setLatency(0);
  }
}

async function measureStep(
  l: Live,
  others: Live[],
  at: { latencyMs: number; rpc: RpcName; concurrency: number; round: number },
  config: BenchConfig,
  prepared: Map<RpcName, PreparedRequest[]>,
): Promise<StepRecord> {
  const window = new ProcWindow(l.system.pid);
  const busiest = new BusiestThreadWindow(l.system.pid);
  let busiestThreadCpuPercent = Number.NaN;
  const self = new SelfCpuWindow();
  const othersCpu = new CpuSecondsWindow(others.map((o) => o.system.pid));
  let w: WindowStats | undefined;
  let benchCpu = Number.NaN;
  let benchCpuSeconds = Number.NaN;
  let benchMainCpuPercent = Number.NaN;
  let othersCpuPercent = Number.NaN;
  const r = await runStep(
    l.target.sender(prepared.get(at.rpc) ?? []),
    {
      concurrency: at.concurrency,
      warmupMs: config.warmupMs,
      // One call per user first: para-signer's identity cache (per user, 30 s) would otherwise be cold at every
      // turn, since each system idles while the others are measured; sustained traffic keeps it warm.
      warmupCalls: config.sessions,
      ...(config.turnWarmupMaxMs !== undefined ? { warmupMaxMs: config.turnWarmupMaxMs } : {}),
      durationMs: config.durationMs,
      maxRequests: config.maxRequests,
    },
    {
      // The bench's own CPU is read innermost, so the /proc scans of the samplers' start and stop fall outside it.
      onMeasureStart: () => (window.start(), busiest.start(), othersCpu.start(), self.reset()),
      onMeasureEnd: () => (
        (benchCpuSeconds = self.seconds()),
        (benchCpu = self.percent()),
        (benchMainCpuPercent = self.mainPercent()),
        (w = window.stop()),
        (busiestThreadCpuPercent = busiest.stop()),
        (othersCpuPercent = othersCpu.percent())
      ),
    },
  );
  const cpuPercent = w?.cpuPercent ?? Number.NaN;
  const mainCpuPercent = w?.mainCpuPercent ?? Number.NaN;
  const perCall = (percent: number) => (r.ok > 0 ? ((percent / 100) * r.elapsedMs) / r.ok : Number.NaN);
  const rec: StepRecord = {
    system: l.spec.id,
    ...at,
    ok: r.ok,
    errors: r.errors,
    throughput: r.throughput,
    latency: r.latency,
    elapsedMs: r.elapsedMs,
    cpuPercent,
    cpuMsPerCall: perCall(cpuPercent),
    mainCpuPercent,
    mainCpuMsPerCall: perCall(mainCpuPercent),
    busiestThreadCpuPercent,
    busiestThreadCpuMsPerCall: perCall(busiestThreadCpuPercent),
    peakRssMiB: w?.peakRssMiB ?? Number.NaN,
    maxThreads: w?.maxThreads ?? Number.NaN,
    benchCpuPercent: benchCpu,
    benchCpuMsPerCall: r.ok > 0 ? (benchCpuSeconds * 1000) / r.ok : Number.NaN,
    benchMainCpuPercent,
    othersCpuPercent,
  };
  const errs = Object.entries(r.errors)
    .map(([k, v]) => `${k}:${v}`)
    .join(" ");
  log(
    `${l.spec.id} +${at.latencyMs}ms ${at.rpc} c=${at.concurrency} #${at.round + 1}: ${fmt(r.throughput, 1)} req/s p50 ${fmt(r.latency.p50, 1)} p99 ${fmt(r.latency.p99, 1)} ms cpu ${fmt(cpuPercent)}% (main ${fmt(mainCpuPercent)}%, busiest other thread ${fmt(busiestThreadCpuPercent)}%) ${fmt(rec.cpuMsPerCall, 3)}/${fmt(rec.mainCpuMsPerCall ?? Number.NaN, 3)} ms/call bench ${fmt(rec.benchCpuMsPerCall ?? Number.NaN, 3)} ms/call (main ${fmt(benchMainCpuPercent)}%) rss ${fmt(rec.peakRssMiB)} MiB others ${fmt(othersCpuPercent)}%${errs ? ` errors ${errs}` : ""}`,
  );
  return rec;
}

/** Fisher–Yates with a small seeded generator (mulberry32). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Until one CheckSession succeeds (para-signer: its signing worker is warm; the Express pattern: its first instance built). */
async function ready(target: Target, requests: PreparedRequest[], id: string): Promise<void> {
  const send = target.sender(requests);
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    last = await send(0);
    if (last === "OK") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} never answered CheckSession OK (last: ${last})`);
}

/** Which para-signer was measured: the commit plus the files changed in the working tree under src/. */
function sourceState(): string {
  // trimEnd only: porcelain lines start with a status column that may be a space (" M path").
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trimEnd();
  try {
    const changed = git("status", "--porcelain", "--", "src")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3));
    return `${git("rev-parse", "--short", "HEAD")}${changed.length ? ` + working-tree changes in ${changed.join(", ")}` : " (clean src/)"}`;
  } catch {
    return "unknown (no git)";
  }
}

function commandLine(): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .map(([k, v]) => `${k}=${v ?? ""}`);
  // npx sets npm_lifecycle_event too ("npx"): only a package script names the command.
  const event = process.env["npm_lifecycle_event"];
  const script = event && event !== "npx" ? event : undefined;
  return [...vars, script ? `npm run ${script}` : `tsx ${process.argv.slice(1).join(" ")}`].join(" ");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
