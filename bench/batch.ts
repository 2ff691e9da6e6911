/**
 * SignMessages of N against N SignMessage calls (issue 16): one para-signer, the local backend with +20 ms on every
 * Para API request, N EIP-191 messages for one user, three ways: one batch, N calls one after another (a caller
 * signing a list), and N calls at once. Each turn uses a fresh user, so Para's per-user request counts are exact;
 * the API key's counts, read once the pool's background refills have settled, add the SDK constructions each way
 * needs. Modes take turns in a different order each round; medians over the rounds.
 *
 *   flock /tmp/para-signer-tests.lock npx tsx bench/batch.ts   → bench/results/batch.md (also part of npm run bench)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MessageFormat, SignMessageRequestSchema, SignMessagesRequestSchema } from "../gen/para/signer/v1/signer_service_pb.js";
import { type BenchBackend, type BenchSession, startBenchBackend } from "./backend.js";
import { createGrpcClient, type GrpcClient } from "./grpc-client.js";
import { launch, REPO_ROOT, systemSpecs } from "./systems.js";
import { grpcFrame } from "./workload.js";

const SIGN = "/para.signer.v1.SignerService/SignMessage";
const SIGN_MANY = "/para.signer.v1.SignerService/SignMessages";
const MODES = ["batch", "sequential", "concurrent"] as const;
type Mode = (typeof MODES)[number];

export interface BatchOptions {
  sizes: number[];
  rounds: number;
  latencyMs: number;
  connections: number;
}

export interface BatchTurn {
  size: number;
  mode: Mode;
  round: number;
  ms: number;
  ok: boolean;
  /** Para requests made with the user's session (touch, keep-alive, wallets, signing). */
  userRequests: number;
  /** All Para requests of the bench key during the turn and the pool's refills after it (SDK constructions too). */
  keyRequests: number;
}

const messages = (n: number, tag: string) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`bench batch ${tag} ${i}`));

async function turn(client: GrpcClient, backend: BenchBackend, user: BenchSession, size: number, mode: Mode): Promise<Omit<BatchTurn, "round">> {
  const items = messages(size, `${mode}-${user.userId}`);
  const keyBefore = backend.para.requestCounts({ apiKey: backend.key.apiKey }).total;
  const userBefore = backend.para.requestCounts({ userId: user.userId }).total;
  const started = performance.now();
  let outcomes: string[];
  if (mode === "batch") {
    outcomes = [
      await client.call(
        SIGN_MANY,
        grpcFrame(SignMessagesRequestSchema, { session: user.session, items: items.map((message) => ({ message, format: MessageFormat.EIP191 })) }),
      ),
    ];
  } else {
    const frames = items.map((message) => grpcFrame(SignMessageRequestSchema, { session: user.session, message, format: MessageFormat.EIP191 }));
    if (mode === "sequential") {
      outcomes = [];
      for (const frame of frames) outcomes.push(await client.call(SIGN, frame));
    } else {
      outcomes = await Promise.all(frames.map((frame) => client.call(SIGN, frame)));
    }
  }
  const ms = performance.now() - started;
  // The pool refills what the turn took, in the background: let those constructions land before counting.
  await sleep(1_500);
  return {
    size,
    mode,
    ms,
    ok: outcomes.every((o) => o === "OK"),
    userRequests: backend.para.requestCounts({ userId: user.userId }).total - userBefore,
    keyRequests: backend.para.requestCounts({ apiKey: backend.key.apiKey }).total - keyBefore,
  };
}

export async function batchComparison(backend: BenchBackend, o: BatchOptions, log: (m: string) => void): Promise<BatchTurn[]> {
  const spec = systemSpecs({ key: backend.key }).find((s) => s.id === "para-signer")!;
  const system = await launch(spec);
  const client = createGrpcClient(`http://127.0.0.1:${system.port}`, o.connections);
  const turns: BatchTurn[] = [];
  // Users from the end of the list: in a full bench run the steps before used the first ones.
  let next = backend.sessions.length - 1;
  const user = () => {
    const u = backend.sessions[next--];
    if (!u) throw new Error("bench: not enough sessions for the batch comparison");
    return u;
  };
  try {
    // Warm-up (unrecorded), every mode once, before the latency is on.
    for (const mode of MODES) await turn(client, backend, user(), 10, mode);
    backend.setLatency(o.latencyMs);
    for (let round = 0; round < o.rounds; round++) {
      for (const size of o.sizes) {
        const order = [...MODES.slice(round % MODES.length), ...MODES.slice(0, round % MODES.length)];
        for (const mode of order) {
          const t = await turn(client, backend, user(), size, mode);
          turns.push({ ...t, round });
          log(`  N=${size} ${mode}: ${t.ms.toFixed(0)} ms, ${t.userRequests} Para requests (${t.keyRequests} with constructions)${t.ok ? "" : " FAILED"}`);
        }
      }
    }
  } finally {
    backend.setLatency(0);
    client.close();
    await system.stop();
  }
  return turns;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

export function renderBatch(turns: BatchTurn[], o: BatchOptions, command: string): string {
  const lines = [
    "# SignMessages against N SignMessage calls",
    "",
    `Command: \`${command}\`. One para-signer (\`src/runtime/main.ts\`), the local Para backend with +${o.latencyMs} ms on every`,
    `API request, the bench's gRPC generator (${o.connections} HTTP/2 connections). N EIP-191 messages for one user per turn`,
    "(a fresh user each turn); *sequential* is a caller signing them one after another, *concurrent* all at once.",
    `${o.rounds} rounds, modes in a rotating order; medians. Para requests: *session* = made with the user's session`,
    "(touch, keep-alive, wallet list, signing); *all* = every request of the bench's API key during the turn and the",
    "pool's refills after it (each SignMessage call uses one pre-built SDK instance, and rebuilding one costs Para",
    "5 requests). All turns succeeded unless marked.",
    "",
    "| N | mode | time (ms) | time vs batch | Para requests (session) | Para requests (all) | all vs batch |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const size of o.sizes) {
    const of = (mode: Mode) => turns.filter((t) => t.size === size && t.mode === mode);
    const batchMs = median(of("batch").map((t) => t.ms));
    const batchAll = median(of("batch").map((t) => t.keyRequests));
    for (const mode of MODES) {
      const ts = of(mode);
      const ms = median(ts.map((t) => t.ms));
      const all = median(ts.map((t) => t.keyRequests));
      const failed = ts.some((t) => !t.ok) ? " (some failed)" : "";
      lines.push(
        `| ${size} | ${mode}${failed} | ${ms.toFixed(0)} | ${(ms / batchMs).toFixed(2)}x | ${median(ts.map((t) => t.userRequests))} | ${all} | ${(all / batchAll).toFixed(2)}x |`,
      );
    }
  }
  lines.push(
    "",
    "Reading it: the batch pays one session import, one active check, one identity confirmation and one keep-alive;",
    "its items are signed on one SDK instance, SIGNER_BATCH_CONCURRENCY (4) at a time, so a batch never holds more",
    "than that many jobs on the shared signing worker. N calls pay those per call; at once they overlap in time but",
    "not in Para's rate budget (with SIGNER_PARA_MAX_RPS set, they would be refused where the batch is paced).",
    "",
  );
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o: BatchOptions = { sizes: [10, 50], rounds: Number(process.env["BENCH_ROUNDS"] ?? 3), latencyMs: 20, connections: 4 };
  const backend = await startBenchBackend(3 + o.rounds * o.sizes.length * MODES.length);
  try {
    const turns = await batchComparison(backend, o, (m) => console.log(m));
    const out = join(REPO_ROOT, "bench", "results", "batch.md");
    writeFileSync(out, renderBatch(turns, o, "flock /tmp/para-signer-tests.lock npx tsx bench/batch.ts"));
    console.log(`wrote ${out}`);
  } finally {
    await backend.stop();
  }
}
