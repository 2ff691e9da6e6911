// Session rotation on keep-alive (docs/para-sdk.md §1 "Session rotation", §5, §9): the backend answers keep-alive with
// a new cookie in the x-capsule-sid response header; the real SDK adopts it, exportSession reports it, and the
// replaced cookie works only for its grace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo, MintedSession } from "../../src/local-para/types.js";
import { API_URL, b64, importedPara, recoverEvm, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const cookieOf = (exported: string): string => (JSON.parse(Buffer.from(exported, "base64").toString()) as { sessionCookie: string }).sessionCookie;

/** A raw keep-alive with this cookie: its status and the rotated cookie, if the backend sent one. */
async function keepAlive(minted: MintedSession, cookie: string): Promise<{ status: number; rotatedTo: string | null }> {
  const res = await fetch(`${API_URL}/users/${minted.userId}/session/keep-alive`, {
    method: "POST",
    headers: { "x-external-api-key": key.apiKey, "x-capsule-sid": cookie },
  });
  await res.arrayBuffer();
  return { status: res.status, rotatedTo: res.headers.get("x-capsule-sid") };
}

/** Whether the backend takes this cookie as a live session (the SDK's isSessionActive touch). */
async function authenticated(cookie: string): Promise<boolean> {
  const res = await fetch(`${API_URL}/touch?regenerate=false`, { method: "POST", headers: { "x-external-api-key": key.apiKey, "x-capsule-sid": cookie } });
  return ((await res.json()) as { isAuthenticated: boolean }).isAuthenticated;
}

describe("local Para session rotation on keep-alive", () => {
  it("the SDK adopts the rotated cookie: exportSession reports it and a fresh instance importing that is active", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    await localPara.setSessionRotation({ sessionCookie: minted.sessionCookie, enabled: true });
    const para = await importedPara(minted);
    expect(await para.keepSessionAlive()).toBe(true);
    const reexported = para.exportSession();
    const rotated = cookieOf(reexported);
    expect(rotated).not.toBe(minted.sessionCookie);
    expect(rotated.length).toBeGreaterThanOrEqual(40);
    // The same session for everything but the cookie: same user, same verification token.
    const fresh = await importedPara(minted, reexported);
    expect(await fresh.isSessionActive()).toBe(true);
    expect(await fresh.getVerificationToken()).toBe(minted.verificationToken);
    expect(fresh.getUserId()).toBe(minted.userId);
    // Default grace (60 s): the replaced cookie still works, so calls in flight with it finish.
    expect(await authenticated(minted.sessionCookie)).toBe(true);
  });

  it("with no grace the replaced cookie stops at once, and the instance that rotated still signs with the new one", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    await localPara.setSessionRotation({ sessionCookie: minted.sessionCookie, enabled: true, graceMs: 0 });
    const para = await importedPara(minted);
    expect(await para.keepSessionAlive()).toBe(true);
    expect(await authenticated(minted.sessionCookie)).toBe(false);
    expect((await keepAlive(minted, minted.sessionCookie)).status).toBe(403);
    expect(await para.isSessionActive()).toBe(true);
    const evm = wallet(minted, "EVM");
    const digest = keccak_256(new TextEncoder().encode("after rotation"));
    const res = (await para.signMessage({ walletId: evm.id, messageBase64: b64(digest) })) as { signature: string };
    expect(await recoverEvm(digest, res.signature)).toBe(evm.address);
  });

  it("every keep-alive of a rotating session rotates again; revoking by any of its cookies ends it", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    await localPara.setSessionRotation({ sessionCookie: minted.sessionCookie, enabled: true });
    const first = await keepAlive(minted, minted.sessionCookie);
    const second = await keepAlive(minted, first.rotatedTo ?? "");
    expect(first).toMatchObject({ status: 200, rotatedTo: expect.any(String) });
    expect(second).toMatchObject({ status: 200, rotatedTo: expect.any(String) });
    expect(new Set([minted.sessionCookie, first.rotatedTo, second.rotatedTo]).size).toBe(3);
    // Switched off through an older cookie of the same session: keep-alive stops rotating.
    await localPara.setSessionRotation({ sessionCookie: minted.sessionCookie, enabled: false });
    expect(await keepAlive(minted, second.rotatedTo ?? "")).toEqual({ status: 200, rotatedTo: null });
    await localPara.revokeSession(minted.sessionCookie);
    expect(await authenticated(second.rotatedTo ?? "")).toBe(false);
  });

  it("per user: all the user's sessions rotate, another user's do not, and only until switched off", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const second = await localPara.mintSession({ apiKey: key.apiKey, userId: minted.userId });
    const other = await localPara.mintSession({ apiKey: key.apiKey });
    await localPara.setSessionRotation({ userId: minted.userId, enabled: true });
    expect((await keepAlive(minted, minted.sessionCookie)).rotatedTo).toEqual(expect.any(String));
    expect((await keepAlive(second, second.sessionCookie)).rotatedTo).toEqual(expect.any(String));
    expect(await keepAlive(other, other.sessionCookie)).toEqual({ status: 200, rotatedTo: null });
    await localPara.setSessionRotation({ userId: minted.userId, enabled: false });
    const after = await localPara.mintSession({ apiKey: key.apiKey, userId: minted.userId });
    expect(await keepAlive(after, after.sessionCookie)).toEqual({ status: 200, rotatedTo: null });
  });

  it("without the switch keep-alive never sends a cookie, and the switch refuses unclear requests", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    expect(await keepAlive(minted, minted.sessionCookie)).toEqual({ status: 200, rotatedTo: null });
    const refused = [
      { enabled: true },
      { sessionCookie: minted.sessionCookie, userId: minted.userId, enabled: true },
      { sessionCookie: "no-such-cookie", enabled: true },
      { userId: "no-such-user", enabled: true },
      { sessionCookie: minted.sessionCookie, enabled: "yes" },
      { sessionCookie: minted.sessionCookie, enabled: true, graceMs: -1 },
    ];
    for (const body of refused) {
      const res = await fetch(`${API_URL}/_local/sessions/rotate-on-keep-alive`, { method: "POST", body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(Object.keys(body))).toBe(400);
    }
  });
});
