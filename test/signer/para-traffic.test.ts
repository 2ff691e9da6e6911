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

/** The key's counts, once they have stopped moving (the pool's background constructions have settled). */
async function settledCounts(): Promise<Record<string, number>> {
  let last = "";
  let counts: Record<string, number> = {};
  for (let i = 0; i < 100; i++) {
    counts = (await localPara.requestCounts({ apiKey: h.key.apiKey })).requests;
    const now = JSON.stringify(counts);
    if (now === last) return counts;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Para traffic never settled: ${last}`);
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) if (n !== (before[name] ?? 0)) out[name] = n - (before[name] ?? 0);
  return out;
}

beforeAll(async () => {
  // Answers kept for 10 minutes, so no expiry falls inside a slow run and every count below is exact.
  h = await startSignerHarness({ env: { SIGNER_PARA_ANONYMOUS_ANSWER_MS: "600000", SIGNER_POOL_SIZE: "4" } });
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
      const answer = await h.grpc.checkSession({ session }).catch((error: unknown) => ConnectError.from(error));
      // Para does not take either: inactive, or refused outright; never active, never another user's.
      if (answer instanceof ConnectError) expect([Code.Unauthenticated, Code.PermissionDenied]).toContain(answer.code);
      else expect(answer.active).toBe(false);
    }
    for (const user of users) expect((await h.grpc.checkSession({ session: user.session })).active).toBe(true);
    const spent = delta(await settledCounts(), before);
    expect(spent.touch).toBe(4 + users.length);
    expect(spent.partner ?? 0).toBe(0);
    expect(spent.logout ?? 0).toBe(0);
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
