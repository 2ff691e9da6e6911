/**
 * The Markdown report: how the run was made, one table per latency × RPC
 * with every system side by side, the ratios the issue asks about, the cold
 * start, and per-system start-up and memory.
 */
import type { RpcName } from "./config.js";
import type { BenchRun, StepRecord } from "./results.js";
import { LOG_LEVEL } from "./systems.js";
import { ratio } from "./stats.js";

const RPC_LABEL: Record<RpcName, string> = {
  CheckSession: "CheckSession (extend=false)",
  SignEvmEip191: "SignMessage, EVM EIP191 (skip_keep_alive)",
  SignSolanaRaw: "SignMessage, Solana RAW (skip_keep_alive)",
  VerifyJwt: "VerifySession (JWT)",
};

const n = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
const errs = (e: Record<string, number>) => Object.entries(e).map(([k, v]) => `${k} ${v}`).join(", ") || "0";

export function renderReport(run: BenchRun): string {
  const c = run.config;
  const label = new Map(run.systems.map((s) => [s.id, s.label]));
  const find = (system: string, latencyMs: number, rpc: RpcName, concurrency: number): StepRecord | undefined =>
    run.steps.find((s) => s.system === system && s.latencyMs === latencyMs && s.rpc === rpc && s.concurrency === concurrency);
  const out: string[] = [];
  const p = (line = "") => out.push(line);

  p("# para-signer load benchmark");
  p();
  p(`- **Command:** \`flock /tmp/para-signer-tests.lock ${run.command}\``);
  p(`- **Date:** ${run.startedAt.toISOString()} · **took** ${n(run.durationS)} s`);
  p(`- **para-signer source:** ${run.source}`);
  p(`- **Machine:** ${run.cores} × ${run.cpus}, ${n(run.memGiB, 1)} GiB RAM · **Node** ${run.node}`);
  p(`- **Load:** closed loop, concurrency ${c.concurrencies.join(", ")}; each step ${c.warmupMs} ms warm-up (not recorded), then ${n(c.durationMs / 1000, 1)} s or ${c.maxRequests} requests; gRPC over ${c.connections} HTTP/2 connections (Express pattern: HTTP/1.1 JSON, keep-alive agent); ${c.sessions} pre-minted users, requests cycle through them`);
  p(`- **Para latency:** ${c.latenciesMs.join(" and ")} ms added to every Para API request (touch, partner, logout, keep-alive, jwt, messages/sign, MPC sign, verify, errors) by the local backend's fault injection, scoped to the bench's API key`);
  p(`- **Logging:** every system at \`LOG_LEVEL=${LOG_LEVEL}\`: no per-call access line (it is info), and the SDK's console output goes to debug in both para-signer and the Express pattern, so it is dropped`);
  p(`- **Same Para work per call:** CheckSession is sent with extend=false and SignMessage with skip_keep_alive=true, matching the docs' pattern (import + isSessionActive [+ signMessage])`);
  p("- **Where things run:** the local Para backend and the load generator share the bench process; each system is its own child process (`node --import tsx`). CPU is % of one core over the measured phase, all threads of the process; *CPU ms/call* is that CPU divided by successful calls; RSS is the peak sampled every 100 ms; *bench CPU* is the bench process (backend + generator) — near 100% means the backend or generator, not the system, was the limit");
  if (run.otlp) p(`- **Tracing on:** \`--import ./src/otel.ts\` with OTEL_EXPORTER_OTLP_ENDPOINT at an in-bench OTLP/HTTP sink answering 200 (received ${run.otlp.requests} exports, ${n(run.otlp.bytes / 1024 / 1024, 1)} MiB)`);
  p("- **Systems:** *para-signer* = `src/main.ts` as it is in the working tree; *docs' Express pattern* = `bench/express-pattern.ts` (new ParaServer + importSession + isSessionActive [+ signMessage] per request, on node:http since Express is not installed, no worker warm-up); *floor* = `bench/floor-server.ts` (Connect on h2c, only the unavoidable Para round trips, no SDK)");
  p();

  p("## Ratios");
  p();
  p("Throughput ratio > 1 and p50 ratio < 1 favour the first-named system. Single steps are short and this machine is shared: expect run-to-run noise of about ±20% on one cell (the tracing on/off columns, which compare two nearly identical processes, show its size). A Node process whose main thread is saturated shows about 110–135% CPU here (main thread plus GC and worker threads), not 200%.");
  p();
  p("*signer×2* is para-signer with `SIGNER_WORKERS=2` (two service processes on one port, one per core of this 2-core machine); the other columns are the single-process service against the single-process docs' pattern.");
  p();
  p("| latency | RPC | c | signer/express req/s | signer/express p50 | signer×2/express req/s | signer×2/express p50 | signer/floor req/s | signer/floor p50 | signer/floor CPU ms/call | tracing on/off req/s | tracing on/off p50 | tracing on/off CPU ms/call |");
  p("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const lat of c.latenciesMs) {
    for (const rpc of c.rpcs) {
      for (const cc of c.concurrencies) {
        const s = find("para-signer", lat, rpc, cc);
        const e = find("express-pattern", lat, rpc, cc);
        const f = find("floor", lat, rpc, cc);
        const t = find("para-signer+otel", lat, rpc, cc);
        const m = find("para-signer-x2", lat, rpc, cc);
        p(`| ${lat} ms | ${rpc} | ${cc} | ${x(ratio(s?.throughput, e?.throughput))} | ${x(ratio(s?.latency.p50, e?.latency.p50))} | ${x(ratio(m?.throughput, e?.throughput))} | ${x(ratio(m?.latency.p50, e?.latency.p50))} | ${x(ratio(s?.throughput, f?.throughput))} | ${x(ratio(s?.latency.p50, f?.latency.p50))} | ${x(ratio(s?.cpuMsPerCall, f?.cpuMsPerCall))} | ${x(ratio(t?.throughput, s?.throughput))} | ${x(ratio(t?.latency.p50, s?.latency.p50))} | ${x(ratio(t?.cpuMsPerCall, s?.cpuMsPerCall))} |`);
      }
    }
  }
  p();

  if (run.cold.length > 0) {
    p(`## Cold start: ${run.cold[0]?.calls} concurrent first SignMessage calls at a fresh server`);
    p();
    p(`+${c.coldStartLatencyMs} ms on every Para API request and +${c.coldStartDownloadMs} ms on the worker bundle and wasm downloads (the local bundle is a few KB; Para's real one is megabytes from its portal, so the window in which concurrent first calls find no worker is longer). The calls are sent the moment the port accepts connections, each for a different user.`);
    p();
    p("Issue 7 asks: all succeed, one signing worker thread, RSS under 400 MiB. A worker thread is one OS thread, so extra threads above the count at listen ≈ extra workers (plus libuv's pool of 4, which starts on first use).");
    p();
    p("| system | ok | errors | burst (ms) | threads at listen | peak threads | threads after | peak RSS (MiB) | RSS after (MiB) |");
    p("|---|---|---|---|---|---|---|---|---|");
    for (const r of run.cold) {
      p(`| ${r.label} | ${r.ok}/${r.calls} | ${errs(r.errors)} | ${n(r.burstMs)} | ${r.threadsAtListen} | ${r.peakThreads} | ${r.threadsAfter} | ${n(r.peakRssMiB)} | ${n(r.rssAfterMiB)} |`);
    }
    p();
  }

  p("## Systems");
  p();
  p("| system | protocol | spawn → listening (ms) | idle RSS (MiB) | threads at listen | peak RSS over its run (MiB) | threads at end |");
  p("|---|---|---|---|---|---|---|");
  for (const s of run.systems) p(`| ${s.label} | ${s.protocol} | ${n(s.startMs)} | ${n(s.idleRssMiB)} | ${s.idleThreads} | ${n(s.peakRssMiB)} | ${s.threadsAtEnd} |`);
  p();

  p("## All steps");
  for (const lat of c.latenciesMs) {
    for (const rpc of c.rpcs) {
      p();
      p(`### ${RPC_LABEL[rpc]}, +${lat} ms per Para request`);
      p();
      p("| c | system | req/s | p50 ms | p90 ms | p99 ms | ok | errors | CPU % | CPU ms/call | peak RSS MiB | threads | bench CPU % |");
      p("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (const cc of c.concurrencies) {
        for (const s of run.systems) {
          const r = find(s.id, lat, rpc, cc);
          if (!r) continue;
          p(`| ${cc} | ${label.get(s.id) ?? s.id} | ${n(r.throughput, 1)} | ${n(r.latency.p50, 1)} | ${n(r.latency.p90, 1)} | ${n(r.latency.p99, 1)} | ${r.ok} | ${errs(r.errors)} | ${n(r.cpuPercent)} | ${n(r.cpuMsPerCall, 2)} | ${n(r.peakRssMiB)} | ${r.maxThreads} | ${n(r.benchCpuPercent)} |`);
        }
      }
    }
  }
  p();
  return out.join("\n");
}
