import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { MintedSession } from "../../src/local-para/types.js";
import { localPara } from "../support/local-para-admin.js";
import { type SignerHarness, startSignerHarness } from "../support/signer-harness.js";

/**
 * What a call costs Para, counted by the local backend for this file's API key: the real service, its SDK thread and
 * the real SDK. A fresh SDK instance per call sends five construction requests that carry no session; the service
 * reuses Para's answers to them (src/para/sdk/anonymous-answers.ts), so a session check costs Para one round trip.
 * Honest users: four users checking their sessions. Adversaries: a rewritten session (a cookie Para never issued),
 * a revoked one (Para refuses it), neither of which may make the others pay construction round trips again; and Para
 * failing, after which constructions must ask Para again rather than live on kept answers.
 */

let h: SignerHarness;
let users: MintedSession[];

/**
 * The key's counts, once they have stopped moving (the pool's background constructions have settled): the same
 * over three readings spanning a second, so a construction paused on this loaded machine is not missed.
 */
async function settledCounts(): Promise<Record<string, number>> {
  const readings: string[] = [];
  for (let i = 0; i < 120; i++) {
    const counts = (await localPara.requestCounts({ apiKey: h.key.apiKey })).requests;
    readings.push(JSON.stringify(counts));
    if (readings.length >= 3 && readings.slice(-3).every((r) => r === readings.at(-1))) return counts;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Para traffic never settled: ${readings.at(-1)}`);
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) if (n !== (before[name] ?? 0)) out[name] = n - (before[name] ?? 0);
  return out;
}

beforeAll(async () => {
  // Answers (and Para's word on each user) kept for 10 minutes, so no expiry falls inside a slow run and every count
  // below is exact.
  h = await startSignerHarness({
    // One SDK thread: kept answers are per thread, and the outage test below needs the thread that saw the failure.
    env: { SIGNER_PARA_ANONYMOUS_ANSWER_MS: "600000", SIGNER_IDENTITY_CACHE_MS: "600000", SIGNER_POOL_SIZE: "4", SIGNER_SDK_THREADS: "1" },
  });
  users = await Promise.all([1, 2, 3, 4].map(() => h.mint()));
  // Each user's first call fetches Para's word on who they are; later calls reuse it (SIGNER_IDENTITY_CACHE_MS).
  for (const user of users) expect((await h.grpc.checkSession({ session: user.session })).active).toBe(true);
});

afterAll(async () => {
  await h?.stop();
});

describe("Para round trips per call", () => {
  test("honest users: 20 session checks cost Para 20 touches and no construction request", async () => {
    const before = await settledCounts();
    for (let i = 0; i < 5; i++) {
      await Promise.all(users.map(async (user) => expect((await h.grpc.checkSession({ session: user.session })).active).toBe(true)));
    }
    expect(delta(await settledCounts(), before)).toEqual({ touch: 20 });
  });

  test("a rewritten or revoked session is asked of Para and refused; the next honest calls still cost one touch each", async () => {
    const victim = await h.mint();
    const revoked = await h.mint();
    await localPara.revokeSession(revoked.sessionCookie);
    const doc = JSON.parse(Buffer.from(victim.session, "base64").toString("utf8")) as Record<string, unknown>;
    const rewritten = Buffer.from(JSON.stringify({ ...doc, sessionCookie: "a-cookie-para-never-issued" })).toString("base64");
    const before = await settledCounts();
    for (const session of [rewritten, revoked.session, rewritten, revoked.session]) {
      // Para does not take either (the local backend answers inactive); never active, never another user's.
      expect((await h.grpc.checkSession({ session })).active).toBe(false);
    }
    // Para refusing a session outright (401 on its touch, as for a key or session it rejects): refused here too.
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 401, times: 2 });
    for (let i = 0; i < 2; i++) {
      const refused = await h.grpc.checkSession({ session: rewritten }).catch((error: unknown) => ConnectError.from(error));
      expect(refused).toBeInstanceOf(ConnectError);
      expect((refused as ConnectError).code).toBe(Code.Unauthenticated);
    }
    for (const user of users) expect((await h.grpc.checkSession({ session: user.session })).active).toBe(true);
    const spent = delta(await settledCounts(), before);
    // Each call's own touch, and no construction request: the refusals dropped nothing that was kept.
    expect(spent).toEqual({ touch: 4 + 2 + users.length });
  });

  test("Para failing drops the kept answers: the pool's constructions ask Para again", async () => {
    const before = await settledCounts();
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 503, times: 1 });
    const failed = await h.grpc.checkSession({ session: users[0]!.session }).catch((error: unknown) => ConnectError.from(error));
    expect(failed).toBeInstanceOf(ConnectError);
    expect((failed as ConnectError).code).toBe(Code.Unavailable);
    // The next call takes a pristine instance; the refill behind it constructs with nothing kept.
    expect((await h.grpc.checkSession({ session: users[0]!.session })).active).toBe(true);
    const spent = delta(await settledCounts(), before);
    expect(spent.partner ?? 0).toBeGreaterThanOrEqual(1);
    expect(spent.logout ?? 0).toBeGreaterThanOrEqual(1);
  });
});
