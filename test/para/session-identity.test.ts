import { ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { ParaWallet } from "../../src/para/para-sdk.js";
import type { ValidSession } from "../../src/para/session-codec.js";
import { isSettledRefusal, SessionIdentity, type IdentitySource, type VerifiedAuth } from "../../src/para/session-identity.js";

/** Unit level: Para's answers are fakes; what matters is who is believed and when Para is asked. */

const paraWallets: ParaWallet[] = [
  { id: "w-evm", type: "EVM", scheme: "DKLS", address: "0xAbC0000000000000000000000000000000000001", publicKey: "04aa" },
  { id: "w-sol", type: "SOLANA", scheme: "ED25519", address: "So1ana", publicKey: "bb" },
];

function session(edit: Partial<ValidSession> = {}): ValidSession {
  return {
    userId: "u1",
    auth: { authType: "email", identifier: "a@example.com", oAuthMethod: "" },
    wallets: [{ id: "w-evm", type: "EVM", scheme: "DKLS", address: "0xabc0000000000000000000000000000000000001", publicKey: "0x04AA", hasSigner: true }],
    canonical: "",
    key: "k",
    ...edit,
  };
}

function source(wallets: ParaWallet[] = paraWallets, auth?: VerifiedAuth) {
  const calls = { wallets: 0, auth: 0 };
  const src: IdentitySource = {
    fetchWallets: async () => {
      calls.wallets++;
      return wallets;
    },
    ...(auth
      ? {
          verifyToken: () => {
            calls.auth++;
            return Promise.resolve(auth);
          },
        }
      : {}),
  };
  return { src, calls };
}

const active = (userId = "u1") => ({ active: true, userId, verificationToken: "tok" });
const reasonOf = (e: unknown) => {
  const info = ConnectError.from(e).findDetails(ErrorInfoSchema)[0];
  return `${info?.reason}:${info?.metadata["mismatch"]}`;
};

describe("SessionIdentity", () => {
  test("a matching blob gets Para's wallet list (checksum casing and 0x prefixes do not matter)", async () => {
    const { src } = source();
    const id = await new SessionIdentity({ ttlMs: 0 }).confirm(session(), active(), src, false);
    expect(id).toEqual({ userId: "u1", wallets: paraWallets, auth: undefined });
  });

  test("another user than Para names, or no user: SESSION_MISMATCH user", async () => {
    const { src } = source();
    const identity = new SessionIdentity({ ttlMs: 0 });
    await expect(identity.confirm(session(), active("u2"), src, false)).rejects.toSatisfy((e) => reasonOf(e) === "SESSION_MISMATCH:user");
    await expect(identity.confirm(session(), { active: true, userId: undefined, verificationToken: undefined }, src, false)).rejects.toSatisfy(
      (e) => reasonOf(e) === "SESSION_MISMATCH:user",
    );
  });

  test.each([
    ["an unknown wallet id", { id: "w-other" }],
    ["another address", { address: "0x0000000000000000000000000000000000000002" }],
    ["another public key", { publicKey: "04cc" }],
    ["another type", { type: "SOLANA" as const }],
  ])("%s: SESSION_MISMATCH wallets", async (_note, edit) => {
    const { src } = source();
    const s = session();
    s.wallets = [{ ...s.wallets[0]!, ...edit }];
    await expect(new SessionIdentity({ ttlMs: 0 }).confirm(s, active(), src, false)).rejects.toSatisfy((e) => reasonOf(e) === "SESSION_MISMATCH:wallets");
  });

  test("auth info that Para does not verify: SESSION_MISMATCH auth; Para's is reported", async () => {
    const { src } = source(paraWallets, { authType: "email", identifier: "a@example.com", oAuthMethod: "", userId: "u1" });
    const identity = new SessionIdentity({ ttlMs: 0 });
    expect((await identity.confirm(session(), active(), src, true)).auth?.identifier).toBe("a@example.com");
    const forged = session({ auth: { authType: "email", identifier: "ceo@example.com", oAuthMethod: "" } });
    await expect(identity.confirm(forged, active(), src, false)).rejects.toSatisfy((e) => reasonOf(e) === "SESSION_MISMATCH:auth");
  });

  test("Para's wallet list is cached per Para-confirmed user, for the TTL only", async () => {
    let now = 0;
    const identity = new SessionIdentity({ ttlMs: 30_000, now: () => now });
    const { src, calls } = source();
    await identity.confirm(session(), active(), src, false);
    await identity.confirm(session(), active(), src, false);
    expect(calls.wallets).toBe(1);
    now = 30_001;
    await identity.confirm(session(), active(), src, false);
    expect(calls.wallets).toBe(2);
  });

  test("each answer is kept for a random time between ttlMs·(1 − spread) and ttlMs, never longer", async () => {
    // [spread, the random draw, the last moment it is still kept, the first it is fetched again] (ms)
    for (const [spread, random, keptMs, refetchMs] of [
      [0.5, 0, 30_000, 30_001],
      [0.5, 0.999, 15_014, 15_016],
      [0, 0.999, 30_000, 30_001],
    ] as const) {
      let now = 0;
      const identity = new SessionIdentity({ ttlMs: 30_000, spread, now: () => now, random: () => random });
      const { src, calls } = source();
      await identity.confirm(session(), active(), src, false);
      now = keptMs;
      await identity.confirm(session(), active(), src, false);
      expect(calls.wallets, `spread ${spread}, random ${random}: still kept at ${keptMs} ms`).toBe(1);
      now = refetchMs;
      await identity.confirm(session(), active(), src, false);
      expect(calls.wallets, `spread ${spread}, random ${random}: fetched again at ${refetchMs} ms`).toBe(2);
    }
  });

  test("answers fetched together (a restart, a burst after a quiet spell) are refreshed spread over time, not together", async () => {
    let now = 0;
    let draw = 0;
    // An even spread of draws stands for Math.random here, so the test is exact.
    const identity = new SessionIdentity({ ttlMs: 30_000, now: () => now, random: () => (draw++ % 100) / 100 });
    const users = Array.from({ length: 100 }, (_, i) => `u${i}`);
    const fetchedAt: number[] = [];
    const src: IdentitySource = { fetchWallets: async () => (fetchedAt.push(now), paraWallets) };
    for (const user of users) await identity.confirm(session({ userId: user }), active(user), src, false);
    // Every user calls once a second for the next 31 s.
    for (now = 1_000; now <= 31_000; now += 1_000) for (const user of users) await identity.confirm(session({ userId: user }), active(user), src, false);
    const refreshes = fetchedAt.filter((t) => t > 0);
    expect(refreshes).toHaveLength(100);
    expect(Math.min(...refreshes)).toBeGreaterThanOrEqual(15_000);
    expect(Math.max(...refreshes)).toBeLessThanOrEqual(31_000);
    // No second of it carries more than a tenth of the refreshes (without the spread, all 100 fall in one second).
    const perSecond = new Map<number, number>();
    for (const t of refreshes) perSecond.set(t, (perSecond.get(t) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
  });

  test("a blob disagreeing with a cached answer: refused without a refetch while young, checked afresh once older", async () => {
    let now = 0;
    const identity = new SessionIdentity({ ttlMs: 30_000, refreshAfterMs: 1_000, now: () => now });
    let listed = paraWallets;
    const calls = { wallets: 0 };
    const src: IdentitySource = { fetchWallets: async () => (calls.wallets++, listed) };
    await identity.confirm(session(), active(), src, false);
    const withNewWallet = session();
    withNewWallet.wallets = [...withNewWallet.wallets, { id: "w-new", type: "EVM", scheme: "DKLS", address: "0x01", publicKey: "", hasSigner: true }];
    await expect(identity.confirm(withNewWallet, active(), src, false)).rejects.toBeInstanceOf(ConnectError);
    expect(calls.wallets).toBe(1);
    // Para now lists a wallet created since: a later call sees it.
    listed = [...paraWallets, { id: "w-new", type: "EVM", scheme: "DKLS", address: "0x01", publicKey: "" }];
    now = 1_500;
    await expect(identity.confirm(withNewWallet, active(), src, false)).resolves.toMatchObject({ userId: "u1" });
    expect(calls.wallets).toBe(2);
  });

  test("the cache is bounded", async () => {
    const identity = new SessionIdentity({ ttlMs: 60_000, maxEntries: 3 });
    const { src, calls } = source();
    for (const user of ["a", "b", "c", "d", "a"]) await identity.confirm(session({ userId: user }), active(user), src, false);
    // "a" was evicted by "d", so it was fetched twice.
    expect(calls.wallets).toBe(5);
  });

  test("only a mismatch decided on Para's answer to this call is settled (remembered against the session)", async () => {
    let now = 0;
    const identity = new SessionIdentity({ ttlMs: 30_000, refreshAfterMs: 1_000, now: () => now });
    const { src } = source();
    const withNewWallet = session();
    withNewWallet.wallets = [...withNewWallet.wallets, { id: "w-new", type: "EVM", scheme: "DKLS", address: "0x01", publicKey: "", hasSigner: true }];
    // Own fetch: settled.
    const own = await identity.confirm(withNewWallet, active(), src, false).catch((e: unknown) => e);
    expect(isSettledRefusal(own)).toBe(true);
    // The same disagreement against the young cached list: not settled (the list may predate the wallet).
    now = 500;
    const young = await identity.confirm(withNewWallet, active(), src, false).catch((e: unknown) => e);
    expect(reasonOf(young)).toBe("SESSION_MISMATCH:wallets");
    expect(isSettledRefusal(young)).toBe(false);
    // Another user than Para names: always settled.
    expect(isSettledRefusal(await identity.confirm(session(), active("u2"), src, false).catch((e: unknown) => e))).toBe(true);
  });
});
