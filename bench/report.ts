/**
 * The Markdown report: how the run was made, one table per latency × RPC
 * with every system side by side, the ratios the issue asks about, the cold
 * start, and per-system start-up and memory.
 */
import type { RpcName } from "./config.js";
import { CPU_PER_CALL, MAIN_CPU_PER_CALL, P50, RunView, THROUGHPUT, type PairedRatio, type StepKey } from "./aggregate.js";
import { describeCriterion } from "./settle.js";
import { median } from "./stats.js";
import type { BenchRun } from "./results.js";
import { LOG_LEVEL, SIGNER_RUNTIME_FLAGS } from "./systems.js";

const RPC_LABEL: Record<RpcName, string> = {
  CheckSession: "CheckSession (extend=false)",
  SignEvmEip191: "SignMessage, EVM EIP191 (skip_keep_alive)",
  SignSolanaRaw: "SignMessage, Solana RAW (skip_keep_alive)",
  VerifyJwt: "VerifySession (JWT)",
  SignTransaction: "SignTransaction, EIP-1559 (skip_keep_alive)",
  SignTypedData: "SignTypedData, EIP-712 (skip_keep_alive)",
  SignAuthorization: "SignAuthorization, EIP-7702 (skip_keep_alive)",
  SignSolanaTransaction: "SignSolanaTransaction, v0 (skip_keep_alive)",
};

const n = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
/** A paired ratio: the median of the rounds, with their range when there are several. */
const xr = (r: PairedRatio) => (r.n > 1 ? `${x(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})` : x(r.median));
const errs = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "0";

export function renderReport(run: BenchRun): string {
  const c = run.config;
  const label = new Map(run.systems.map((s) => [s.id, s.label]));
  const view = new RunView(run);
  // Runs recorded before rounds existed had one.
  const rounds = c.rounds ?? 1;
  const keys: StepKey[] = c.latenciesMs.flatMap((latencyMs) =>
    c.rpcs.flatMap((rpc) => c.concurrencies.map((concurrency) => ({ latencyMs, rpc, concurrency }))),
  );
  const out: string[] = [];
  const p = (line = "") => out.push(line);

  p("# para-signer load benchmark");
  p();
  p(`- **Command:** \`flock /tmp/para-signer-tests.lock ${run.command}\``);
  p(`- **Date:** ${run.startedAt.toISOString()} · **took** ${n(run.durationS)} s`);
  p(`- **para-signer source:** ${run.source}`);
  p(`- **Machine:** ${run.cores} × ${run.cpus}, ${n(run.memGiB, 1)} GiB RAM · **Node** ${run.node}`);
  // Runs recorded before issue 18 warmed up for a fixed time.
  const warm = c.warmup
    ? c.warmup.maxMs > 0
      ? `warmed up first, each RPC in ${describeCriterion(c.warmup, c.warmup.windowMs, c.warmup.concurrency)} (not recorded; see *Warm-up*)`
      : "not warmed up (BENCH_WARMUP_MAX_S=0)"
    : `warmed up first (each RPC at c=16 and +0 ms for ${n((c.systemWarmupMs ?? 0) / 1000, 1)} s, not recorded)`;
  const turn =
    c.window === "continuous"
      ? `each turn one continuous load: a warm-up (not recorded) of at least ${c.warmupMs} ms and two calls per client, and until each of the ${c.sessions} users has called once or ${n((c.turnWarmupMaxMs ?? 0) / 1000, 1)} s have passed, the window then starting again from the first user (so per-user caches, para-signer's 30 s identity cache and the floor's, are as warm as sustained traffic from these users keeps them), then a window of ${n(c.durationMs / 1000, 1)} s or ${c.maxRequests} calls that counts the calls completing inside it (those still in flight at its end are finished, not recorded)`
      : `each turn ${c.warmupMs} ms warm-up (not recorded) then ${n(c.durationMs / 1000, 1)} s or ${c.maxRequests} requests`;
  p(
    `- **Load:** closed loop, concurrency ${c.concurrencies.join(", ")}; all systems up at once and ${warm}; each step ${rounds} time${rounds > 1 ? "s" : ""}, the systems taking turns in a shuffled order (a new one every round), ${turn}; gRPC over ${c.connections} HTTP/2 connections (Express pattern: HTTP/1.1 JSON, keep-alive agent); ${c.sessions} pre-minted users, requests cycle through them`,
  );
  p(
    `- **Para latency:** ${c.latenciesMs.join(" and ")} ms added to every Para API request (touch, partner, logout, keep-alive, jwt, messages/sign, MPC sign, verify, errors) by the local backend's fault injection, scoped to the bench's API key`,
  );
  p(
    `- **Logging:** every system at \`LOG_LEVEL=${LOG_LEVEL}\`: no per-call access line (it is info), and the SDK's console output goes to debug in both para-signer and the Express pattern, so it is dropped`,
  );
  p(
    `- **Same call per system:** CheckSession is sent with extend=false and SignMessage with skip_keep_alive=true, matching the docs' pattern (import + isSessionActive [+ signMessage]). The Para requests each system makes for it differ: para-signer answers a fresh instance's construction requests from Para's kept answers (\`SIGNER_PARA_ANONYMOUS_ANSWER_MS\`), so it sends one touch where the pattern sends four, a partner and a logout`,
  );
  p(
    "- **Where things run:** the local Para backend and the load generator share the bench process; each system is its own child process (`node --import tsx`), and all of them stay up for the whole run, idle while another is measured (*idle others CPU* shows what they took meanwhile). CPU is % of one core over the measured phase: *CPU %* all threads of the process, *main %* its main thread alone (for the two-process system, every process's main thread added up), read from /proc; a main thread near 100% is a saturated event loop, the system's own limit. *CPU ms/call* and *main ms/call* are those divided by successful calls, and *× pattern* is each as a ratio to the docs' pattern in the same round (process · main). RSS is the peak sampled every 100 ms; *bench CPU* is the bench process (backend + generator) — near 100% means the backend or generator, not the system, was the limit — and *bench ms/call* the same per call, the load generator's own cost where the backend does no per-call work (VerifySession by JWT). Values are medians over the rounds; ok and errors are totals",
  );
  if (run.otlp)
    p(
      `- **Tracing on:** \`--import ./src/runtime/otel.ts\` with OTEL_EXPORTER_OTLP_ENDPOINT at an in-bench OTLP/HTTP sink answering 200 (received ${run.otlp.requests} exports, ${n(run.otlp.bytes / 1024 / 1024, 1)} MiB)`,
    );
  p(
    "- **Systems:** *para-signer* = `src/runtime/main.ts` as it is in the working tree, run as the image runs it (`node " +
      SIGNER_RUNTIME_FLAGS.join(" ") +
      "`: the pattern and the floor run on plain `node`); *docs' Express pattern* = `bench/express-pattern.ts` (new ParaServer + importSession + isSessionActive [+ signMessage] per request, on node:http since Express is not installed, no worker warm-up); *floor* = `bench/floor-server.ts` (Connect on h2c, only the unavoidable Para round trips, no SDK)",
  );
  p();

  p("## Against the issue's goals");
  p();
  for (const line of goals(run, view)) p(line);
  p();

  p("## Ratios");
  p();
  p(
    `Throughput ratio > 1 and p50 ratio < 1 favour the first-named system. Each ratio is computed per round (both systems measured in the same round, seconds apart) and given as the median over the rounds with their range in brackets. The range shows the short-term noise of this machine; the tracing on/off columns, which compare two nearly identical processes, show its size. A Node process whose main thread is saturated shows about 110–135% CPU here (main thread plus GC and worker threads), not 200%.`,
  );
  p();
  p(
    "*signer×2* is para-signer with `SIGNER_WORKERS=2` (two service processes on one port, one per core of this 2-core machine); the other columns are the single-process service against the single-process docs' pattern.",
  );
  p();
  p(
    "| latency | RPC | c | signer/express req/s | signer/express p50 | signer×2/express req/s | signer/floor p50 | signer/floor CPU ms/call | tracing on/off req/s | tracing on/off CPU ms/call |",
  );
  p("|---|---|---|---|---|---|---|---|---|---|");
  for (const k of keys) {
    const r = (a: string, b: string, m: typeof THROUGHPUT) => xr(view.paired(a, b, k, m));
    p(
      `| ${k.latencyMs} ms | ${k.rpc} | ${k.concurrency} | ${r("para-signer", "express-pattern", THROUGHPUT)} | ${r("para-signer", "express-pattern", P50)} | ${r("para-signer-x2", "express-pattern", THROUGHPUT)} | ${r("para-signer", "floor", P50)} | ${r("para-signer", "floor", CPU_PER_CALL)} | ${r("para-signer+otel", "para-signer", THROUGHPUT)} | ${r("para-signer+otel", "para-signer", CPU_PER_CALL)} |`,
    );
  }
  p();

  for (const line of warmupSection(run)) p(line);
  for (const line of generatorSection(run, view)) p(line);

  if (run.cold.length > 0) {
    p(`## Cold start: ${run.cold[0]?.calls} concurrent first SignMessage calls at a fresh server`);
    p();
    p(
      `+${c.coldStartLatencyMs} ms on every Para API request and +${c.coldStartDownloadMs} ms on the worker bundle and wasm downloads (the local bundle is a few KB; Para's real one is megabytes from its portal, so the window in which concurrent first calls find no worker is longer). The calls are sent the moment the port accepts connections, each for a different user.`,
    );
    p();
    p(
      "Issue 7 asks: all succeed, one signing worker thread, RSS under 400 MiB. A worker thread is one OS thread, so extra threads above the count at listen ≈ extra workers (plus libuv's pool of 4, which starts on first use).",
    );
    p();
    p("| system | ok | errors | burst (ms) | threads at listen | peak threads | threads after | peak RSS (MiB) | RSS after (MiB) |");
    p("|---|---|---|---|---|---|---|---|---|");
    for (const r of run.cold) {
      p(
        `| ${r.label} | ${r.ok}/${r.calls} | ${errs(r.errors)} | ${n(r.burstMs)} | ${r.threadsAtListen} | ${r.peakThreads} | ${r.threadsAfter} | ${n(r.peakRssMiB)} | ${n(r.rssAfterMiB)} |`,
      );
    }
    p();
  }

  p("## Systems");
  p();
  p("| system | protocol | spawn → listening (ms) | idle RSS (MiB) | threads at listen | peak RSS over its run (MiB) | threads at end |");
  p("|---|---|---|---|---|---|---|");
  for (const s of run.systems)
    p(`| ${s.label} | ${s.protocol} | ${n(s.startMs)} | ${n(s.idleRssMiB)} | ${s.idleThreads} | ${n(s.peakRssMiB)} | ${s.threadsAtEnd} |`);
  p();

  p("## All steps");
  for (const lat of c.latenciesMs) {
    for (const rpc of c.rpcs) {
      p();
      p(`### ${RPC_LABEL[rpc]}, +${lat} ms per Para request`);
      p();
      p(
        "| c | system | req/s | p50 ms | p90 ms | p99 ms | ok | errors | CPU % | main % | CPU ms/call | main ms/call | × pattern (process · main) | peak RSS MiB | threads | bench CPU % | bench ms/call | idle others CPU % |",
      );
      p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (const cc of c.concurrencies) {
        const k: StepKey = { latencyMs: lat, rpc, concurrency: cc };
        for (const s of run.systems) {
          const r = view.cell(s.id, k);
          if (!r) continue;
          const vsPattern =
            s.id === PATTERN ? "–" : `${x(view.paired(s.id, PATTERN, k, CPU_PER_CALL).median)} · ${x(view.paired(s.id, PATTERN, k, MAIN_CPU_PER_CALL).median)}`;
          p(
            `| ${cc} | ${label.get(s.id) ?? s.id} | ${n(r.throughput, 1)} | ${n(r.p50, 1)} | ${n(r.p90, 1)} | ${n(r.p99, 1)} | ${r.ok} | ${errs(r.errors)} | ${n(r.cpuPercent)} | ${n(r.mainCpuPercent)} | ${n(r.cpuMsPerCall, 2)} | ${n(r.mainCpuMsPerCall, 2)} | ${vsPattern} | ${n(r.peakRssMiB)} | ${r.maxThreads} | ${n(r.benchCpuPercent)} | ${n(r.benchCpuMsPerCall, 3)} | ${n(r.othersCpuPercent)} |`,
          );
        }
      }
    }
  }
  p();
  return out.join("\n");
}

const PATTERN = "express-pattern";

/** Which systems were measured warm: the settle verdict of each system and RPC, with the JIT curve's ends. */
function warmupSection(run: BenchRun): string[] {
  const rows = run.systems.flatMap((s) => (s.warmup ?? []).map((w) => ({ s, w })));
  if (rows.length === 0) return [];
  const out = [
    "## Warm-up",
    "",
    "Before any measured step, every system gets each RPC in windows of unrecorded load until its CPU per call has settled (criterion in the header, `bench/settle.ts`). *first → last* is the main-thread CPU per call of the first and the last window: the JIT's share of an unwarmed measurement.",
    "",
    "| system | RPC | settled | calls | seconds | main ms/call, first → last window | CPU ms/call, last window |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const { s, w } of rows) {
    const first = w.mainCpuMsPerCall[0] ?? Number.NaN;
    const last = w.mainCpuMsPerCall.at(-1) ?? Number.NaN;
    out.push(
      `| ${s.label} | ${w.rpc} | ${w.settled ? `yes (${w.how})` : "**no** (time limit)"} | ${w.calls} | ${n(w.elapsedMs / 1000, 1)} | ${n(first, 3)} → ${n(last, 3)} | ${n(w.cpuMsPerCall.at(-1) ?? Number.NaN, 3)} |`,
    );
  }
  out.push("");
  return out;
}

/**
 * How much of a throughput gap is the load generator: in the VerifySession-by-JWT cells the local Para backend
 * does no per-call work (both systems keep Para's key set cached), so the bench process's CPU per call is the
 * generator's own, beside each server's CPU per call.
 */
function generatorSection(run: BenchRun, view: RunView): string[] {
  const c = run.config;
  if (!c.rpcs.includes("VerifyJwt")) return [];
  const rows: string[] = [];
  for (const latencyMs of c.latenciesMs) {
    for (const concurrency of c.concurrencies) {
      const k: StepKey = { latencyMs, rpc: "VerifyJwt", concurrency };
      for (const s of run.systems) {
        const r = view.cell(s.id, k);
        if (!r || !Number.isFinite(r.benchCpuMsPerCall)) continue;
        const wire = s.protocol === "grpc" ? "gRPC, node:http2" : "JSON, node:http keep-alive";
        const share = r.benchCpuMsPerCall / (r.benchCpuMsPerCall + r.cpuMsPerCall);
        rows.push(
          `| ${latencyMs} ms | ${concurrency} | ${s.label} | ${wire} | ${n(r.throughput, 1)} | ${n(r.mainCpuPercent)} | ${n(r.mainCpuMsPerCall, 3)} | ${n(r.cpuMsPerCall, 3)} | ${n(r.benchCpuMsPerCall, 3)} | ${n(r.benchMainCpuPercent)} | ${Number.isFinite(share) ? `${n(share * 100)}%` : "–"} |`,
        );
      }
    }
  }
  if (rows.length === 0) return [];
  return [
    "## Load generator against server: VerifySession by JWT",
    "",
    "Neither system calls Para per VerifySession-by-JWT call (each keeps Para's key set cached), so here the bench process's CPU per call is the load generator's own. The gRPC generator (`bench/grpc-client.ts`) is raw `node:http2` writing pre-encoded frames over a few connections, no Connect client; the HTTP/1.1 one (`bench/http1-client.ts`) is `node:http` with a keep-alive agent. *generator main %* is the bench process's main thread, where generator and backend run; *generator share* is generator / (generator + server process) CPU per call. Whichever main thread is near 100% set the pace: a server's means its own code is the limit, whatever the generator costs; the generator's means the server could have gone faster (the gap would be wider, not narrower, with a leaner generator).",
    "",
    "| latency | c | system | generator wire | req/s | server main % | server main ms/call | server CPU ms/call | generator ms/call | generator main % | generator share |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
}

/** The issue's measurable goals, each judged on the cells it names (paired-round medians; the worst cell is shown). */
function goals(run: BenchRun, view: RunView): string[] {
  const c = run.config;
  const out: string[] = ["| goal | measured | verdict |", "|---|---|---|"];
  const verdict = (r: PairedRatio, ok: (median: number) => boolean) => (r.n === 0 ? "not measured" : ok(r.median) ? "met" : "**not met**");
  const measured = (r: PairedRatio, suffix = "") => (r.n === 0 ? "–" : `${xr(r)}${suffix}`);

  // The issue's own cell: CheckSession at +20 ms, concurrency 1.
  const check: StepKey = { latencyMs: 20, rpc: "CheckSession", concurrency: 1 };
  const vsFloor = view.paired("para-signer", "floor", check, P50);
  const vsExpress = view.paired("express-pattern", "para-signer", check, P50);
  out.push(`| CheckSession p50 within 1.5× of the floor's (+20 ms, c=1) | ${measured(vsFloor)} | ${verdict(vsFloor, (m) => m <= 1.5)} |`);
  out.push(
    `| CheckSession p50 at least 3× faster than the Express pattern (+20 ms, c=1) | ${measured(vsExpress, " faster")} | ${verdict(vsExpress, (m) => m >= 3)} |`,
  );

  const at64 = c.latenciesMs.flatMap((latencyMs) => c.rpcs.map((rpc): StepKey => ({ latencyMs, rpc, concurrency: 64 })));
  // The cells both systems ran, the lowest throughput ratio first (a system that did not run pairs nothing).
  const cells = (a: string, b: string, keys: StepKey[]) =>
    keys
      .map((k) => ({ k, r: view.paired(a, b, k, THROUGHPUT) }))
      .filter((e) => e.r.n > 0)
      .sort((p, q) => p.r.median - q.r.median);
  const throughputRow = (what: string, system: string, keys: StepKey[]) => {
    const w = cells(system, "express-pattern", keys)[0];
    if (!w) return out.push(`| ${what} | – | not measured |`);
    const label = w.r.median >= 2 ? "met, 2× too" : w.r.median >= 1 ? "not below; 2× not met" : "**below**";
    return out.push(`| ${what} | lowest cell: ${xr(w.r)} (${w.k.rpc}, +${w.k.latencyMs} ms) | ${label} |`);
  };
  const sdkKeys = at64.filter((k) => k.rpc !== "VerifyJwt");
  throughputRow("throughput at c=64 never below the Express pattern's (goal 2×): SDK-bound RPCs, one process", "para-signer", sdkKeys);
  throughputRow("the same with two processes (`SIGNER_WORKERS=2`) on the same two cores", "para-signer-x2", sdkKeys);
  throughputRow(
    "the same for VerifySession by JWT (no SDK, no Para round trip), one process",
    "para-signer",
    at64.filter((k) => k.rpc === "VerifyJwt"),
  );

  // Issue 18: the SDK in worker threads, default settings, +20 ms: throughput and the main thread's CPU per call
  // against the docs' pattern, and what the threads buy against the same service with the SDK on its main thread.
  for (const rpc of ["CheckSession", "SignEvmEip191"] as const) {
    const k: StepKey = { latencyMs: 20, rpc, concurrency: 64 };
    const tput = view.paired("para-signer", PATTERN, k, THROUGHPUT);
    const mainCpu = view.paired("para-signer", PATTERN, k, MAIN_CPU_PER_CALL);
    const inline = view.paired("para-signer", "para-signer-inline", k, THROUGHPUT);
    out.push(`| issue 18: ${rpc} throughput at c=64, +20 ms, at least 1.3× the pattern's | ${measured(tput)} | ${verdict(tput, (m) => m >= 1.3)} |`);
    out.push(
      `| issue 18: ${rpc} main-thread CPU per call at c=64, +20 ms, at most 0.35× the pattern's | ${measured(mainCpu)} | ${verdict(mainCpu, (m) => m <= 0.35)} |`,
    );
    if (inline.n > 0)
      out.push(`| issue 18: ${rpc} throughput at c=64, +20 ms, SDK threads against the SDK on the main thread | ${measured(inline)} | reported |`);
  }

  // Issue 12: what confirming each session with Para costs. Against the floor (which makes the same Para round
  // trips, cached the same way) and, with BENCH_BASELINE_REF, against the code before the check, paired per round.
  for (const rpc of ["CheckSession", "SignEvmEip191"] as const) {
    for (const concurrency of [1, 64]) {
      for (const latencyMs of c.latenciesMs) {
        const k: StepKey = { latencyMs, rpc, concurrency };
        const floor = concurrency === 1 ? view.paired("para-signer", "floor", k, P50) : view.paired("para-signer", "floor", k, THROUGHPUT);
        const before =
          concurrency === 1 ? view.paired("para-signer", "para-signer-baseline", k, P50) : view.paired("para-signer", "para-signer-baseline", k, THROUGHPUT);
        if (floor.n === 0 && before.n === 0) continue;
        const what = concurrency === 1 ? "p50" : "throughput";
        out.push(
          `| confirming the session with Para (issue 12): ${rpc}, c=${concurrency}, +${latencyMs} ms, ${what} | vs floor ${measured(floor)}; vs before the check ${measured(before)} | reported |`,
        );
      }
    }
  }

  const traced = cells("para-signer+otel", "para-signer", at64);
  const w = traced[0];
  if (!w) out.push("| tracing on costs under 10% of throughput (c=64) | – | not measured |");
  else {
    const all = median(traced.map((e) => e.r.median));
    out.push(
      `| tracing on costs under 10% of throughput (c=64, every RPC and latency) | median over cells ${x(all)}; lowest cell ${xr(w.r)} (${w.k.rpc}, +${w.k.latencyMs} ms) | ${w.r.median >= 0.9 ? "met in every cell" : all >= 0.9 ? "met over the cells, **not in every cell**" : "**not met**"} |`,
    );
  }
  const sampled = cells("para-signer+otel-sampled", "para-signer", at64);
  const ws = sampled[0];
  if (ws) {
    out.push(
      `| the same with 10% head sampling (\`OTEL_TRACES_SAMPLER=parentbased_traceidratio\`, \`OTEL_TRACES_SAMPLER_ARG=0.1\`) | median over cells ${x(median(sampled.map((e) => e.r.median)))}; lowest cell ${xr(ws.r)} (${ws.k.rpc}, +${ws.k.latencyMs} ms) | ${ws.r.median >= 0.9 ? "met in every cell" : "**not in every cell**"} |`,
    );
  }
  return out;
}
