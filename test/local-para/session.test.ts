// Sessions through the real SDK: import, touch, keep-alive, expiry, revocation, per-key session length.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { importedPara, post, resetSdkWorker } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

describe("local Para sessions", () => {
  it("a minted session imports and is active; keep-alive succeeds; verification token matches", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey, email: "alice@example.com" });
    expect(minted.email).toBe("alice@example.com");
    const para = await importedPara(minted);
    expect(await para.isSessionActive()).toBe(true);
    expect(await para.keepSessionAlive()).toBe(true);
    expect(await para.getVerificationToken()).toBe(minted.verificationToken);
    // The touch echoes the partner exactly: one partner fetch per instance, never one per touch.
    const stats = (await localPara.stats()).byApiKey[key.apiKey] ?? {};
    expect(stats.partner).toBe(1);
    expect(stats.touch).toBeGreaterThanOrEqual(4);
  });

  it("the exported session has exactly the SDK's shape", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey, phone: "+15555550100" });
    const parsed = JSON.parse(Buffer.from(minted.session, "base64").toString()) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["authInfo", "userId", "wallets", "currentWalletIds", "sessionCookie", "externalWallets"]);
    expect(parsed["authInfo"]).toEqual({ auth: { phone: "+15555550100" }, authType: "phone", identifier: "+15555550100" });
    const wallets = Object.values(parsed["wallets"] as Record<string, Record<string, unknown>>);
    expect(wallets.map((w) => [w["type"], w["scheme"]])).toEqual([
      ["EVM", "DKLS"],
      ["SOLANA", "ED25519"],
    ]);
    for (const w of wallets) expect(typeof w["signer"]).toBe("string");
    const without = JSON.parse(Buffer.from(minted.sessionWithoutSigners, "base64").toString()) as Record<string, unknown>;
    for (const w of Object.values(without["wallets"] as Record<string, Record<string, unknown>>)) expect("signer" in w).toBe(false);
    expect(wallets[0]?.["address"]).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(wallets[0]?.["publicKey"]).toMatch(/^04[0-9a-f]{128}$/);
  });

  it("an expired session is inactive and cannot be kept alive", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    await localPara.expireSession(minted.sessionCookie);
    expect(await para.isSessionActive()).toBe(false);
    expect(await para.keepSessionAlive()).toBe(false);
  });

  it("a revoked session is inactive", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    expect(await para.isSessionActive()).toBe(true);
    await localPara.revokeSession(minted.sessionCookie);
    expect(await para.isSessionActive()).toBe(false);
  });

  it("session length is per key, and keep-alive extends it", async () => {
    // Generous margins (≥ 700 ms) so a loaded CI machine does not flip the outcome.
    const short = await localPara.createApiKey({ sessionLengthMs: 2_000 });
    const minted = await localPara.mintSession({ apiKey: short.apiKey });
    const para = await importedPara(minted);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await para.keepSessionAlive()).toBe(true); // now expires ~2 s from here
    await new Promise((r) => setTimeout(r, 1_200)); // past the original expiry
    expect(await para.isSessionActive()).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // past the extended one
    expect(await para.isSessionActive()).toBe(false);
  });

  it("a new session for an existing user keeps the wallets", async () => {
    const first = await localPara.mintSession({ apiKey: key.apiKey });
    const second = await localPara.mintSession({ apiKey: key.apiKey, userId: first.userId });
    expect(second.wallets).toEqual(first.wallets);
    expect(second.sessionCookie).not.toBe(first.sessionCookie);
  });

  it("an unknown API key is refused at touch", async () => {
    const res = await post("/touch?regenerate=false", undefined, { "x-external-api-key": "dev_not_a_key" });
    expect(res.status).toBe(403);
  });

  it("a session is bound to the key it was minted for", async () => {
    const other = await localPara.createApiKey();
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const res = await post("/touch?regenerate=false", undefined, {
      "x-external-api-key": other.apiKey,
      "x-capsule-sid": minted.sessionCookie,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ isAuthenticated: false, partnerId: other.partnerId });
    expect(res.body).not.toHaveProperty("currentWalletIds");
  });
});
