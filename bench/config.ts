/**
 * Bench parameters, read once from the environment. Defaults keep the full
 * `npm run bench` to a few minutes on a 2-core machine; BENCH_QUICK=1 shrinks
 * every dimension for a ~1 minute smoke run.
 */
import type { SettleCriterion } from "./settle.js";

export type RpcName =
  | "CheckSession"
  | "SignEvmEip191"
  | "SignSolanaRaw"
  | "VerifyJwt"
  | "SignTransaction"
  | "SignTypedData"
  | "SignAuthorization"
  | "SignSolanaTransaction";
/** What the matrix runs by default: the RPCs every compared system serves. */
export const ALL_RPCS: readonly RpcName[] = ["CheckSession", "SignEvmEip191", "SignSolanaRaw", "VerifyJwt"];
/** The wave-2 signing RPCs: para-signer only (the docs' pattern and the floor have no such routes). */
export const SIGNING_RPCS: readonly RpcName[] = ["SignTransaction", "SignTypedData", "SignAuthorization", "SignSolanaTransaction"];

export interface WarmupConfig extends SettleCriterion {
  /** Length of one warm-up window, whose main-thread CPU per call is one point of the settle test. */
  windowMs: number;
  /** Closed-loop clients during the warm-up. */
  concurrency: number;
  /** Whole-process CPU per call must settle too (absent in runs recorded before: main thread only). */
  wholeProcess?: true;
}

export interface BenchConfig {
  quick: boolean;
  /** Added latency per Para request (ms), applied by the backend's fault injection. */
  latenciesMs: number[];
  concurrencies: number[];
  rpcs: RpcName[];
  /**
   * Warm-up before each measured step (not recorded): at least this long and two calls per client, and until every
   * user has called once (so per-user caches are as warm as sustained traffic keeps them), at most `turnWarmupMaxMs`.
   */
  warmupMs: number;
  /** Where a turn's warm-up stops waiting for every user to have called (runs before it had no such wait). */
  turnWarmupMaxMs?: number;
  /**
   * How a turn's window sits in its load: "continuous" (the window is a slice of one unbroken load and counts the
   * calls completing in it, bench/load.ts). Absent in runs recorded before: each phase began with every client's
   * first call at once, and the window awaited and counted the calls in flight at its end.
   */
  window?: "continuous";
  /**
   * Unrecorded load per system and RPC after start-up, before any step, until the system's main-thread CPU per
   * call has settled (bench/settle.ts): JIT, heap sizing and the SDK's lazy loading take thousands of calls, and
   * the first steps of a fresh process would otherwise measure that. `maxMs` 0: no warm-up at all.
   */
  warmup: WarmupConfig;
  /** Runs recorded before the settle criterion (issue 18) warmed each system and RPC for this long instead. */
  systemWarmupMs?: number;
  /** Each step is run this many times, the systems taking turns in a rotating order; the report gives medians. */
  rounds: number;
  /** Measured part of each step: it ends at this duration or at maxRequests, whichever comes first. */
  durationMs: number;
  maxRequests: number;
  /** HTTP/2 connections the gRPC generator spreads its streams over. */
  connections: number;
  /** Pre-minted sessions (one user each) the requests cycle through. */
  sessions: number;
  /** Run para-signer a second time with OTLP tracing on. */
  tracing: boolean;
  coldStart: boolean;
  coldStartCalls: number;
  coldStartLatencyMs: number;
  /** Added latency on the worker bundle/wasm downloads during the cold start (Para serves a multi-MB bundle from its portal). */
  coldStartDownloadMs: number;
  /** Which systems to run (names as in systems.ts). */
  systems: string[];
  /** Add --cpu-prof to the para-signer child (profile written to bench/results/prof/). */
  cpuProf: boolean;
  /** Base name of the result files in bench/results/ (partial runs can keep latest.* intact). */
  outName: string;
}

function list(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function numbers(name: string, fallback: string): number[] {
  return list(name, fallback).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: "${s}" is not a non-negative number`);
    return n;
  });
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: "${raw}" is not a non-negative number`);
  return n;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  return raw === "1" || raw.toLowerCase() === "true";
}

export function benchConfig(): BenchConfig {
  const quick = flag("BENCH_QUICK", false);
  if (process.env["BENCH_SYSTEM_WARMUP_S"] !== undefined) {
    throw new Error("BENCH_SYSTEM_WARMUP_S is gone: systems warm up until settled (BENCH_WARMUP_MIN_CALLS, BENCH_WARMUP_MAX_S; bench/README.md)");
  }
  const rpcs = list("BENCH_RPCS", ALL_RPCS.join(","));
  const known: readonly string[] = [...ALL_RPCS, ...SIGNING_RPCS];
  for (const r of rpcs) if (!known.includes(r)) throw new Error(`BENCH_RPCS: unknown "${r}" (one of ${known.join(", ")})`);
  return {
    quick,
    latenciesMs: numbers("BENCH_LATENCIES", quick ? "20" : "0,20"),
    concurrencies: numbers("BENCH_CONCURRENCY", quick ? "1,16" : "1,16,64").map((c) => Math.max(1, Math.floor(c))),
    rpcs: rpcs as RpcName[],
    warmupMs: num("BENCH_WARMUP_MS", quick ? 200 : 300),
    turnWarmupMaxMs: num("BENCH_WARMUP_TURN_MAX_MS", quick ? 1500 : 3000),
    window: "continuous",
    warmup: {
      minCalls: num("BENCH_WARMUP_MIN_CALLS", quick ? 1000 : 3000),
      maxMs: num("BENCH_WARMUP_MAX_S", quick ? 20 : 60) * 1000,
      windowMs: Math.max(100, num("BENCH_WARMUP_WINDOW_S", 1) * 1000),
      tolerance: num("BENCH_WARMUP_TOLERANCE", 0.05),
      span: 3,
      concurrency: 16,
      wholeProcess: true,
    },
    rounds: Math.max(1, Math.floor(num("BENCH_ROUNDS", quick ? 1 : 3))),
    durationMs: num("BENCH_DURATION_S", quick ? 1 : 1.5) * 1000,
    maxRequests: num("BENCH_MAX_REQUESTS", 5000),
    connections: Math.max(1, num("BENCH_CONNECTIONS", 4)),
    sessions: Math.max(1, num("BENCH_SESSIONS", quick ? 64 : 256)),
    tracing: flag("BENCH_TRACING", true),
    coldStart: flag("BENCH_COLD_START", true),
    coldStartCalls: num("BENCH_COLD_CALLS", 64),
    coldStartLatencyMs: num("BENCH_COLD_LATENCY_MS", 20),
    coldStartDownloadMs: num("BENCH_COLD_DOWNLOAD_MS", 100),
    systems: list(
      "BENCH_SYSTEMS",
      `para-signer,para-signer-inline,para-signer-x2,para-signer+otel,para-signer+otel-sampled,express-pattern,floor${process.env["BENCH_VARIANT_NODE_ARGS"] || process.env["BENCH_VARIANT_ENV"] ? ",para-signer-variant" : ""}${process.env["BENCH_BASELINE_REF"] ? ",para-signer-baseline" : ""}`,
    ),
    cpuProf: flag("BENCH_CPU_PROF", false),
    outName: (process.env["BENCH_OUT"] ?? "latest").replace(/[^\w.-]/g, "_"),
  };
}
