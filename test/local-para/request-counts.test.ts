// Para requests counted per user and per session cookie (and per API key), so a test can assert how many Para calls
// its own work made while other test files drive the same backend in parallel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { API_URL, b64, importedPara, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

describe("local Para request counts", () => {
  it("counts an SDK instance's calls for its user and its cookie, and nothing for another user", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const bystander = await localPara.mintSession({ apiKey: key.apiKey, userId: minted.userId });
    const other = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    // Construction and import carry no session: nothing counts for the user yet.
    expect(await localPara.requestCounts({ userId: minted.userId })).toEqual({ requests: {}, total: 0 });
    expect(await para.isSessionActive()).toBe(true);
    expect(await para.keepSessionAlive()).toBe(true);
    const evm = wallet(minted, "EVM");
    await para.signMessage({ walletId: evm.id, messageBase64: b64(keccak_256(new TextEncoder().encode("count me"))) });
    // Presign and MPC step come from the SDK's worker thread, with the cookie of the job.
    const expected = { requests: { touch: 1, keepAlive: 1, messagesSign: 1, mpcSign: 1 }, total: 4 };
    expect(await localPara.requestCounts({ userId: minted.userId })).toEqual(expected);
    expect(await localPara.requestCounts({ sessionCookie: minted.sessionCookie })).toEqual(expected);
    expect(await localPara.requestCounts({ sessionCookie: bystander.sessionCookie })).toEqual({ requests: {}, total: 0 });
    expect(await localPara.requestCounts({ userId: other.userId })).toEqual({ requests: {}, total: 0 });
    // The key's counts hold everything, construction traffic included, as the full snapshot says.
    const byKey = await localPara.requestCounts({ apiKey: key.apiKey });
    expect(byKey.requests).toEqual((await localPara.stats()).byApiKey[key.apiKey]);
    expect(byKey.requests.partner).toBe(1);
  });

  it("a request without a known cookie counts for the user its path names; a made-up cookie gets no counter", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const forged = "not-a-cookie-the-backend-issued";
    for (const headers of [{ "x-external-api-key": key.apiKey }, { "x-external-api-key": key.apiKey, "x-capsule-sid": forged }]) {
      const res = await fetch(`${API_URL}/users/${minted.userId}/wallets`, { headers });
      expect(res.status).toBe(403);
    }
    expect(await localPara.requestCounts({ userId: minted.userId })).toEqual({ requests: { wallets: 2 }, total: 2 });
    expect(await localPara.requestCounts({ sessionCookie: forged })).toEqual({ requests: {}, total: 0 });
  });

  it("after a rotation the user's count goes on; each cookie counts its own requests", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    await localPara.setSessionRotation({ sessionCookie: minted.sessionCookie, enabled: true });
    const para = await importedPara(minted);
    expect(await para.keepSessionAlive()).toBe(true);
    expect(await para.isSessionActive()).toBe(true);
    const rotated = (JSON.parse(Buffer.from(para.exportSession(), "base64").toString()) as { sessionCookie: string }).sessionCookie;
    expect(await localPara.requestCounts({ sessionCookie: minted.sessionCookie })).toEqual({ requests: { keepAlive: 1 }, total: 1 });
    expect(await localPara.requestCounts({ sessionCookie: rotated })).toEqual({ requests: { touch: 1 }, total: 1 });
    expect(await localPara.requestCounts({ userId: minted.userId })).toEqual({ requests: { keepAlive: 1, touch: 1 }, total: 2 });
  });

  it("refuses a query that does not name exactly one key, user or cookie", async () => {
    for (const query of ["", "?userId=a&apiKey=b", "?sessionCookie="]) {
      const res = await fetch(`${API_URL}/_local/stats/requests${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});
