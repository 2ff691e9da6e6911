/**
 * Honest throughput with and without attackers beside them (issue 12): one para-signer, the same closed-loop
 * generator and local backend as the main bench. Honest users sign (EIP-191, +latency on every Para request);
 * in the "attacked" turns, attackers send rewritten sessions alongside at the same time: their own real sessions
 * with a victim's wallet entries pasted in (refused before signing) and with a garbage signer share (Para refuses
 * the job, which crashes the SDK's shared signing worker under everyone). Turns alternate, paired per round, and
 * the ratio attacked/alone is reported per round. Goal: at least 0.9x.
 *
 *   flock /tmp/para-signer-tests.lock npx tsx bench/forgers.ts   → bench/results/forgers.md
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignMessageRequestSchema, MessageFormat } from "../gen/para/signer/v1/signer_service_pb.js";
import { startBenchBackend, type BenchBackend, type BenchSession } from "./backend.js";
import { createGrpcClient } from "./grpc-client.js";
import { runStep, type StepResult } from "./load.js";
import { launch, REPO_ROOT, systemSpecs } from "./systems.js";
import { grpcFrame, prepareAll } from "./workload.js";

export interface ForgerOptions {
  honest: number;
  attackers: number;
  latencyMs: number;
  rounds: number;
  durationMs: number;
  connections: number;
}

export interface ForgerTurn {
  round: number;
  attacked: boolean;
  result: StepResult;
  attackerOutcomes: Record<string, number>;
}

const SIGN = "/para.signer.v1.SignerService/SignMessage";
const MESSAGE = Buffer.from("bench: honest users sign while attackers forge");

type Doc = { userId: string; wallets: Record<string, Record<string, unknown>>; currentWalletIds?: unknown };
const decode = (s: string) => JSON.parse(Buffer.from(s, "base64").toString()) as Doc;
const encode = (d: Doc) => Buffer.from(JSON.stringify({ ...d, currentWalletIds: {} })).toString("base64");

/**
 * One forgery per attacker, alternating between the two kinds: a victim's wallets in its own session, and its own
 * EVM wallet with a garbage share. Each attacker sends its forgery in a closed loop, as fast as it is answered.
 */
export function forgedFrames(attackers: readonly BenchSession[], victim: BenchSession): Buffer[] {
  return attackers.map((a, i) => {
    const swapped = decode(a.session);
    swapped.wallets = Object.fromEntries(Object.values(decode(victim.session).wallets).map((w) => [w["id"], { ...w, userId: a.userId }]));
    const garbage = decode(a.session);
    const evm = Object.values(garbage.wallets).find((w) => w["type"] === "EVM")!;
    evm["signer"] = Buffer.from(`not-a-share-${i}`).toString("base64");
    return grpcFrame(SignMessageRequestSchema, {
      session: encode(i % 2 === 0 ? swapped : garbage),
      message: MESSAGE,
      format: MessageFormat.EIP191,
      skipKeepAlive: true,
    });
  });
}

export async function forgerComparison(backend: BenchBackend, o: ForgerOptions, log: (m: string) => void): Promise<ForgerTurn[]> {
  const spec = systemSpecs({ key: backend.key }).find((s) => s.id === "para-signer")!;
  const system = await launch(spec);
  const client = createGrpcClient(`http://127.0.0.1:${system.port}`, o.connections);
  const turns: ForgerTurn[] = [];
  try {
    backend.setLatency(o.latencyMs);
    const honest = prepareAll("SignEvmEip191", backend.sessions.slice(0, o.honest));
    const frames = forgedFrames(backend.sessions.slice(o.honest, o.honest + o.attackers), backend.sessions[0]!);
    const send = (i: number) => client.call(SIGN, honest[i % honest.length]!.grpcFrame);
    // Warm up (unrecorded), so neither first turn pays for the JIT.
    await runStep(send, { concurrency: o.honest, warmupMs: 0, durationMs: 4_000, maxRequests: Number.POSITIVE_INFINITY });
    for (let round = 0; round < o.rounds; round++) {
      for (const attacked of round % 2 === 0 ? [false, true] : [true, false]) {
        const attackerOutcomes: Record<string, number> = {};
        let stop = false;
        const attack = async (frame: Buffer) => {
          while (!stop) {
            const outcome = await client.call(SIGN, frame);
            attackerOutcomes[outcome] = (attackerOutcomes[outcome] ?? 0) + 1;
          }
        };
        const attackers = attacked ? frames.map(attack) : [];
        const result = await runStep(send, { concurrency: o.honest, warmupMs: 300, durationMs: o.durationMs, maxRequests: Number.POSITIVE_INFINITY });
        stop = true;
        await Promise.all(attackers);
        turns.push({ round, attacked, result, attackerOutcomes });
        log(
          `forgers round ${round} ${attacked ? "attacked" : "alone   "}: ${result.throughput.toFixed(1)} honest signatures/s, honest errors ${JSON.stringify(result.errors)}${attacked ? `, attackers ${JSON.stringify(attackerOutcomes)}` : ""}`,
        );
      }
    }
  } finally {
    backend.setLatency(0);
    client.close();
    await system.stop();
  }
  return turns;
}

export function renderForgers(turns: ForgerTurn[], o: ForgerOptions, command: string): string {
  const rounds = [...new Set(turns.map((t) => t.round))];
  const ratios = rounds.map((r) => {
    const alone = turns.find((t) => t.round === r && !t.attacked)!.result.throughput;
    const attacked = turns.find((t) => t.round === r && t.attacked)!.result.throughput;
    return attacked / alone;
  });
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const honestErrors = turns.reduce((n, t) => n + Object.values(t.result.errors).reduce((a, b) => a + b, 0), 0);
  const lines = [
    "# Honest signers beside attackers (issue 12)",
    "",
    `Command: \`${command}\``,
    "",
    `${o.honest} honest users sign (EIP-191, skip keep-alive) in a closed loop against one para-signer, +${o.latencyMs} ms on every Para request;`,
    `in the attacked turns ${o.attackers} attackers send, at the same time and each in a closed loop, their own real sessions rewritten`,
    "one of two ways: a victim's wallet entries pasted in (refused with SESSION_MISMATCH before any signing job) and a garbage signer share",
    "in their own EVM wallet (Para refuses the job, which crashes the SDK's shared signing worker; the culprit is convicted alone). Either",
    "refusal is then remembered for the session (SIGNER_REFUSAL_HOLD_MS), so repeats cost no Para work. Turns alternate,",
    `paired per round; ${o.durationMs / 1000} s each.`,
    "",
    "| round | alone (sig/s) | attacked (sig/s) | attacked / alone | honest errors (attacked) | attackers' answers |",
    "|---|---|---|---|---|---|",
    ...rounds.map((r, i) => {
      const alone = turns.find((t) => t.round === r && !t.attacked)!;
      const attacked = turns.find((t) => t.round === r && t.attacked)!;
      return `| ${r} | ${alone.result.throughput.toFixed(1)} | ${attacked.result.throughput.toFixed(1)} | ${ratios[i]!.toFixed(2)}x | ${JSON.stringify(attacked.result.errors)} | ${JSON.stringify(attacked.attackerOutcomes)} |`;
    }),
    "",
    `**Median attacked/alone: ${median.toFixed(2)}x** (range ${sorted[0]!.toFixed(2)}–${sorted[sorted.length - 1]!.toFixed(2)}; goal ≥ 0.90x). Honest errors over all turns: ${honestErrors}.`,
    "",
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const o: ForgerOptions = {
    honest: Number(process.env["BENCH_FORGERS_HONEST"] ?? 8),
    attackers: Number(process.env["BENCH_FORGERS_ATTACKERS"] ?? 4),
    latencyMs: Number(process.env["BENCH_FORGERS_LATENCY_MS"] ?? 20),
    rounds: Number(process.env["BENCH_ROUNDS"] ?? 3),
    durationMs: Number(process.env["BENCH_FORGERS_DURATION_S"] ?? 8) * 1000,
    connections: 4,
  };
  const log = (m: string) => process.stderr.write(`[forgers] ${m}\n`);
  const backend = await startBenchBackend(o.honest + o.attackers);
  try {
    const turns = await forgerComparison(backend, o, log);
    const md = renderForgers(turns, o, "flock /tmp/para-signer-tests.lock npx tsx bench/forgers.ts");
    writeFileSync(join(REPO_ROOT, "bench", "results", "forgers.md"), md);
    process.stdout.write(md);
  } finally {
    await backend.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
