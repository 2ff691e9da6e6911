/**
 * Soak run (`npm run soak`; SOAK_MINUTES, default 10; not part of CI): para-signer as its own process
 * against the local Para backend, mixed RPCs at a steady rate, with Para faults switched on and off on a
 * schedule. Every answer is checked: a signature must recover to the caller's own address, a session
 * check must name the caller's own user. Every log line the service writes is searched for the users'
 * secrets. Writes bench/results/soak.md: errors by code, latency, RSS, threads and fds over time.
 */
import { writeFileSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { recoverMessageAddress, toHex } from "viem";
import { MessageFormat, SignerService, WalletType } from "../gen/para/signer/v1/signer_service_pb.js";
import type { FaultSpec } from "../src/local-para/index.js";
import { type BenchSession, startBenchBackend } from "./backend.js";
import { readProcTree } from "./proc-sampler.js";
import { summarize } from "./stats.js";
import { launch, REPO_ROOT, SIGNER_RUNTIME_FLAGS } from "./systems.js";

const minutes = Number(process.env["SOAK_MINUTES"] ?? "10");
const rate = Number(process.env["SOAK_RPS"] ?? "40");
const sampleEveryS = 20;

/** The fault schedule: each phase lasts one slot; "none" phases let the service show it recovers. */
const PHASES: Array<{ name: string; faults: Array<Omit<FaultSpec, "apiKey">> }> = [
  { name: "none", faults: [] },
  {
    name: "Para slow (+150 ms on every API call)",
    faults: ["touch", "keepAlive", "jwt", "messagesSign"].map((endpoint) => ({ endpoint: endpoint as FaultSpec["endpoint"], latencyMs: 150 })),
  },
  { name: "none", faults: [] },
  { name: "Para 503 on every touch", faults: [{ endpoint: "touch", status: 503 }] },
  { name: "none", faults: [] },
  {
    name: "Para 429 on jwt + dropped keep-alives",
    faults: [
      { endpoint: "jwt", status: 429 },
      { endpoint: "keepAlive", drop: true },
    ],
  },
  { name: "none", faults: [] },
  { name: "signing worker crashes (x5)", faults: [{ endpoint: "mpcSign", crashWorker: true, times: 5 }] },
];

interface Sample {
  atS: number;
  phase: string;
  calls: number;
  byCode: Record<string, number>;
  p50: number;
  p99: number;
  rssMiB: number;
  threads: number;
  fds: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const backend = await startBenchBackend(200);
  const secrets = backend.sessions.flatMap(secretsOf);
  const leaks: string[] = [];
  const scan = (line: string) => {
    for (const s of secrets) if (line.includes(s)) leaks.push(s.slice(0, 6));
  };
  const system = await launch(
    {
      id: "para-signer",
      label: "para-signer",
      protocol: "grpc",
      entry: "src/runtime/main.ts",
      nodeArgs: [...SIGNER_RUNTIME_FLAGS],
      env: {
        PARA_ENVIRONMENT: "DEV",
        PARA_API_KEY: backend.key.apiKey,
        PARA_SECRET_API_KEY: backend.key.secretApiKey,
        PARA_JWT_AUDIENCE: backend.key.apiKeyId,
        SIGNER_DRAIN_DELAY_MS: "0",
        LOG_LEVEL: "info",
      },
    },
    30_000,
    scan,
  );
  const signer = createClient(SignerService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${system.port}` }));
  await new Promise((r) => setTimeout(r, 2_000)); // worker warm, pool filled

  let crossUser = 0;
  let crashes = 0;
  const samples: Sample[] = [];
  let window: { byCode: Record<string, number>; latencies: number[] } = { byCode: {}, latencies: [] };
  const totals: Record<string, number> = {};
  const record = (code: string, ms: number) => {
    window.byCode[code] = (window.byCode[code] ?? 0) + 1;
    totals[code] = (totals[code] ?? 0) + 1;
    window.latencies.push(ms);
  };

  const one = async (i: number) => {
    const user = backend.sessions[i % backend.sessions.length]!;
    const t0 = performance.now();
    try {
      const kind = i % 20;
      if (kind < 8) {
        const res = await signer.checkSession({ session: user.session }, { timeoutMs: 10_000 });
        if (res.userId !== user.userId || res.wallets.some((w) => !user.wallets.some((u) => u.id === w.id))) crossUser++;
      } else if (kind < 13) {
        const message = new TextEncoder().encode(`soak ${i}`);
        const res = await signer.signMessage(
          { session: user.session, message, format: MessageFormat.EIP191, walletType: WalletType.EVM },
          { timeoutMs: 10_000 },
        );
        const own = user.wallets.find((w) => w.type === "EVM")!.address;
        if (res.address !== own || (await recoverMessageAddress({ message: { raw: message }, signature: toHex(res.signature) })) !== own) crossUser++;
      } else if (kind < 15) {
        await signer.signMessage(
          { session: user.session, message: new TextEncoder().encode(`sol ${i}`), walletType: WalletType.SOLANA },
          { timeoutMs: 10_000 },
        );
      } else if (kind < 18) {
        const res = await signer.verifySession({ credential: { case: "jwt", value: user.jwt } }, { timeoutMs: 10_000 });
        if (res.userId !== user.userId) crossUser++;
      } else if (kind < 19) {
        await signer.issueJwt({ session: user.session }, { timeoutMs: 10_000 });
      } else {
        await signer.verifyWallet({ address: user.wallets[0]!.address }, { timeoutMs: 10_000 });
      }
      record("OK", performance.now() - t0);
    } catch (error) {
      const code = (error as { code?: number }).code;
      record(code === undefined ? "transport" : `code_${code}`, performance.now() - t0);
    }
  };

  const durationMs = minutes * 60_000;
  const slotMs = durationMs / PHASES.length;
  let phaseIndex = -1;
  let phase = "none";
  let i = 0;
  const inFlight = new Set<Promise<void>>();
  const end = Date.now() + durationMs;
  let nextSample = Date.now() + sampleEveryS * 1000;
  while (Date.now() < end) {
    const want = Math.floor((Date.now() - (end - durationMs)) / slotMs);
    if (want !== phaseIndex && want < PHASES.length) {
      phaseIndex = want;
      const p = PHASES[phaseIndex]!;
      phase = p.name;
      backend.para.clearFaults(backend.key.apiKey);
      for (const f of p.faults) backend.para.addFault({ ...f, apiKey: backend.key.apiKey });
      console.log(`[soak] ${Math.round((Date.now() - started) / 1000)} s: phase "${phase}"`);
    }
    const p = one(i++).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (Date.now() >= nextSample) {
      nextSample += sampleEveryS * 1000;
      const proc = readProcTree(system.pid);
      if (!proc) crashes++;
      const lat = summarize(window.latencies);
      samples.push({
        atS: Math.round((Date.now() - started) / 1000),
        phase,
        calls: window.latencies.length,
        byCode: window.byCode,
        p50: lat.p50,
        p99: lat.p99,
        rssMiB: proc?.rssMiB ?? NaN,
        threads: proc?.threads ?? NaN,
        fds: proc?.fds ?? NaN,
      });
      window = { byCode: {}, latencies: [] };
      const last = samples[samples.length - 1]!;
      console.log(
        `[soak] ${last.atS} s ${phase}: ${last.calls} calls ${JSON.stringify(last.byCode)} p50 ${last.p50.toFixed(0)} ms rss ${last.rssMiB.toFixed(0)} MiB threads ${last.threads} fds ${last.fds}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  await Promise.all(inFlight);
  backend.para.clearFaults(backend.key.apiKey);
  await system.stop();
  await backend.stop();
  writeFileSync(`${REPO_ROOT}bench/results/soak.md`, report(samples, totals, crossUser, crashes, leaks, (Date.now() - started) / 1000));
  console.log(`[soak] done: crashes ${crashes}, cross-user ${crossUser}, leaked canaries ${leaks.length} → bench/results/soak.md`);
}

function secretsOf(s: BenchSession): string[] {
  const doc = JSON.parse(Buffer.from(s.session, "base64").toString()) as { wallets: Record<string, { signer?: string }> };
  return [
    s.session.slice(0, 40),
    s.sessionCookie,
    s.verificationToken,
    s.jwt.slice(0, 40),
    s.userId,
    ...Object.values(doc.wallets).flatMap((w) => (w.signer ? [w.signer.slice(0, 40)] : [])),
    ...s.wallets.map((w) => w.address),
  ];
}

function report(samples: Sample[], totals: Record<string, number>, crossUser: number, crashes: number, leaks: string[], tookS: number): string {
  const warm = samples.filter((s) => s.atS > 60);
  const rss = warm.map((s) => s.rssMiB);
  const lines = [
    "# Soak run",
    "",
    `- **Command:** \`flock /tmp/para-signer-tests.lock npm run soak\` (SOAK_MINUTES=${minutes}, SOAK_RPS=${rate}) · **took** ${tookS.toFixed(0)} s · ${new Date().toISOString()}`,
    "- **Load:** mixed RPCs at a steady rate (40% CheckSession, 25% SignMessage EVM EIP-191 with recovery check, 10% SignMessage Solana, 15% VerifySession JWT, 5% IssueJwt, 5% VerifyWallet), 200 users, against para-signer as its own process (LOG_LEVEL=info: one access line per call)",
    `- **Faults:** phases switch every ${((minutes * 60) / PHASES.length).toFixed(0)} s: ${PHASES.map((p) => p.name).join(" → ")}`,
    "",
    "## Verdict",
    "",
    `| crashes | cross-user answers | leaked canaries in logs | RSS after the first minute (min–max MiB) | threads (min–max) | fds (min–max) |`,
    "|---|---|---|---|---|---|",
    `| ${crashes} | ${crossUser} | ${leaks.length} | ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} | ${Math.min(...warm.map((s) => s.threads))}–${Math.max(...warm.map((s) => s.threads))} | ${Math.min(...warm.map((s) => s.fds))}–${Math.max(...warm.map((s) => s.fds))} |`,
    "",
    `Outcomes over the whole run: ${Object.entries(totals)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} (code_8 = RESOURCE_EXHAUSTED, code_14 = UNAVAILABLE, code_4 = DEADLINE_EXCEEDED, code_16 = UNAUTHENTICATED).`,
    "",
    "## Over time",
    "",
    "| t (s) | phase | calls | outcomes | p50 ms | p99 ms | RSS MiB | threads | fds |",
    "|---|---|---|---|---|---|---|---|---|",
    ...samples.map(
      (s) =>
        `| ${s.atS} | ${s.phase} | ${s.calls} | ${Object.entries(s.byCode)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")} | ${s.p50.toFixed(0)} | ${s.p99.toFixed(0)} | ${s.rssMiB.toFixed(0)} | ${s.threads} | ${s.fds} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
