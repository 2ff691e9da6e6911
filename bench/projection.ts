/**
 * Projects throughput at concurrency 64 onto hosts with more cores, from the CPU a bench run measured per call
 * (issue 18). Reads a bench result (default bench/results/latest.json) and writes bench/results/projection.md.
 *
 *   npx tsx bench/projection.ts [bench/results/<name>.json] [check=bench/results/<taskset run>.json]
 *
 * The model. A call costs the service `m` ms of main-thread CPU, `b` ms on its busiest other thread (the SDK thread,
 * or the signing worker when signing dominates) and `c` ms over all its threads. With T SDK threads in each of P
 * processes on N cores, no thread can pass 100% of a core and the process cannot pass N cores:
 *
 *   X(N) = min(P · 1000/m, P · T · 1000/b, N · 1000/c)       calls per second
 *
 * The docs' pattern runs the SDK on its one main thread: X(N) = min(1000/m, N · 1000/c), however many cores.
 * Assumptions: per-call costs stay as measured (the same SDK work per call; GC and cache effects of more threads
 * ignored), work spreads evenly over the SDK threads, and the load comes from elsewhere (the bench's own generator
 * and backend shared this machine's two cores, so the measured points sit below the model's 2-core line).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_AUTO_SDK_THREADS } from "../src/para/threads/sdk-thread-count.js";
import type { BenchRun, StepRecord } from "./results.js";

const CORES = [1, 2, 4, 8, 16];
const SIGNER = "para-signer";
const PATTERN = "express-pattern";
const INLINE = "para-signer-inline";

interface Costs {
  main: number;
  busiest: number;
  total: number;
  throughput: number;
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function costsOf(steps: StepRecord[], system: string, rpc: string, latencyMs: number, concurrency: number): Costs | undefined {
  const mine = steps.filter((s) => s.system === system && s.rpc === rpc && s.latencyMs === latencyMs && s.concurrency === concurrency);
  if (mine.length === 0) return undefined;
  return {
    main: median(mine.map((s) => s.mainCpuMsPerCall ?? Number.NaN)),
    busiest: median(mine.map((s) => s.busiestThreadCpuMsPerCall ?? Number.NaN)),
    total: median(mine.map((s) => s.cpuMsPerCall)),
    throughput: median(mine.map((s) => s.throughput)),
  };
}

/** SIGNER_SDK_THREADS=auto for a quota of `cores` (src/para/threads/sdk-thread-count.ts). */
export function autoThreads(cores: number): number {
  return cores < 2 ? 0 : Math.min(Math.floor(cores), MAX_AUTO_SDK_THREADS);
}

/** The model's throughput for para-signer, and what limits it. */
export function signerAt(c: Costs, cores: number, processes = 1): { x: number; limit: string; threads: number } {
  const threads = autoThreads(cores);
  // No SDK threads: the SDK runs on the main thread, whose per-call CPU is then about the process's.
  const main = threads === 0 ? c.total : c.main;
  const bounds: Array<[number, string]> = [
    [(processes * 1000) / main, "main thread"],
    [(cores * 1000) / c.total, "cores"],
  ];
  if (threads > 0) bounds.push([(processes * threads * 1000) / c.busiest, "SDK threads"]);
  const [x, limit] = bounds.reduce((a, b) => (b[0] < a[0] ? b : a));
  return { x, limit, threads };
}

export function patternAt(c: Costs, cores: number): { x: number; limit: string } {
  const main = 1000 / c.main;
  const all = (cores * 1000) / c.total;
  return main <= all ? { x: main, limit: "main thread" } : { x: all, limit: "cores" };
}

/** Processes (SIGNER_WORKERS) until the main thread is no longer the limit; 1 when more would not raise throughput. */
function processesNeeded(c: Costs, cores: number): number {
  const one = signerAt(c, cores, 1).x;
  for (let p = 2; p <= 16; p++) {
    const at = signerAt(c, cores, p);
    if (at.limit !== "main thread") return at.x > one * 1.01 ? p : 1;
  }
  return 16;
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");

function render(run: BenchRun, file: string, check?: { run: BenchRun; file: string }): string {
  const out: string[] = [];
  const p = (line = "") => out.push(line);
  p("# Projection of throughput onto more cores (issue 18)");
  p();
  p(`- **From:** \`${file}\` (${run.startedAt}, ${run.command})`);
  p("- **Method:** `bench/projection.ts` (its header states the model and its assumptions). Per-call CPU is the median over the");
  p("  rounds of the c=64 steps: *main* the main thread, *busiest* the busiest other thread (the SDK thread), *total* all threads.");
  p("  `auto` SDK threads per CPU quota as `SIGNER_SDK_THREADS=auto` sets them. One process unless said.");
  p("- **Caveat:** the per-call CPU was measured with both cores of this machine busy (two SDK threads, the main thread, GC");
  p("  helpers, and the bench's own generator and backend), which inflates it; quieter runs measured 30–40% less per call.");
  p("  How far that moves a projected point shows in the taskset check below each table, where there is one.");
  p();
  for (const latencyMs of run.config.latenciesMs) {
    for (const rpc of run.config.rpcs) {
      const s = costsOf(run.steps, SIGNER, rpc, latencyMs, 64);
      const e = costsOf(run.steps, PATTERN, rpc, latencyMs, 64);
      if (!s || !e) continue;
      // Below 2 CPUs auto runs no SDK thread: the SDK-on-the-main-thread system's costs, when the run has them.
      const inline = costsOf(run.steps, INLINE, rpc, latencyMs, 64) ?? s;
      p(`## ${rpc}, +${latencyMs} ms, concurrency 64`);
      p();
      p(
        `Measured per call (the 1-core row uses the SDK-on-the-main-thread system's total, ${f(inline.total, 2)} ms): para-signer main ${f(s.main, 2)} ms, busiest other thread ${f(s.busiest, 2)} ms, total ${f(s.total, 2)} ms (${f(s.throughput)} req/s here); docs' pattern main ${f(e.main, 2)} ms, total ${f(e.total, 2)} ms (${f(e.throughput)} req/s here).`,
      );
      p();
      p("| cores | SDK threads | para-signer req/s | its limit | pattern req/s | its limit | ratio | processes to lift the main-thread limit |");
      p("|---|---|---|---|---|---|---|---|");
      for (const cores of CORES) {
        const costs = autoThreads(cores) === 0 ? inline : s;
        const sig = signerAt(costs, cores);
        const pat = patternAt(e, cores);
        const needed = sig.limit === "main thread" ? processesNeeded(costs, cores) : 1;
        const lifted = needed > 1 ? `${needed} (\`SIGNER_WORKERS=${needed}\`: ${f(signerAt(costs, cores, needed).x)} req/s)` : "–";
        p(`| ${cores} | ${sig.threads} | ${f(sig.x)} | ${sig.limit} | ${f(pat.x)} | ${pat.limit} | ${f(sig.x / pat.x, 2)}× | ${lifted} |`);
      }
      p();
      if (check) {
        const sc = costsOf(check.run.steps, SIGNER, rpc, latencyMs, 64);
        const ec = costsOf(check.run.steps, PATTERN, rpc, latencyMs, 64);
        if (sc && ec) {
          p(
            `**Check** (\`${check.file}\`: every system pinned to one core with \`taskset\`, the bench on the other): para-signer measured ${f(sc.throughput)} req/s against ${f(signerAt(inline, 1).x)} projected for 1 core from the run above (${f(sc.throughput / signerAt(inline, 1).x, 2)}×); the pattern ${f(ec.throughput)} against ${f(patternAt(e, 1).x)} (${f(ec.throughput / patternAt(e, 1).x, 2)}×).`,
          );
          p();
        }
      }
    }
  }
  return `${out.join("\n")}\n`;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const file = process.argv[2] ?? "bench/results/latest.json";
  const checkFile = process.argv.find((a) => a.startsWith("check="))?.slice("check=".length);
  const run = JSON.parse(readFileSync(file, "utf8")) as BenchRun;
  const check = checkFile ? { run: JSON.parse(readFileSync(checkFile, "utf8")) as BenchRun, file: checkFile } : undefined;
  const target = join("bench", "results", "projection.md");
  writeFileSync(target, render(run, file, check));
  process.stdout.write(`wrote ${target}\n`);
}
