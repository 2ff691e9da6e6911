// Fault injection, scoped to this file's own API key so parallel test files are unaffected.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { b64, importedPara, post, recoverEvm, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterEach(async () => localPara.clearFaults(key.apiKey));
afterAll(() => resetSdkWorker());

const digest = keccak_256(new TextEncoder().encode("faults"));

describe("local Para faults", () => {
  it("status: the SDK call fails with that status and body", async () => {
    const para = await importedPara(await localPara.mintSession({ apiKey: key.apiKey }));
    await localPara.addFault({ endpoint: "jwt", apiKey: key.apiKey, status: 503, body: { message: "try later" }, times: 1 });
    await expect(para.issueJwt()).rejects.toMatchObject({ status: 503 });
    // times: 1 — the next call is healthy again.
    await expect(para.issueJwt()).resolves.toHaveProperty("token");
  });

  it("status on touch makes isSessionActive throw", async () => {
    const para = await importedPara(await localPara.mintSession({ apiKey: key.apiKey }));
    await localPara.addFault({ endpoint: "touch", apiKey: key.apiKey, status: 500 });
    await expect(para.isSessionActive()).rejects.toMatchObject({ status: 500 });
  });

  it("latency delays the answer by at least that long, then answers normally", async () => {
    const para = await importedPara(await localPara.mintSession({ apiKey: key.apiKey }));
    await localPara.addFault({ endpoint: "keepAlive", apiKey: key.apiKey, latencyMs: 300 });
    const t0 = performance.now();
    expect(await para.keepSessionAlive()).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("drop: the connection is destroyed and the SDK call fails", async () => {
    const para = await importedPara(await localPara.mintSession({ apiKey: key.apiKey }));
    await localPara.addFault({ endpoint: "jwt", apiKey: key.apiKey, drop: true });
    await expect(para.issueJwt()).rejects.toThrow();
    expect(await para.keepSessionAlive()).toBe(true); // other endpoints unaffected
  });

  it("hang: no answer at all", async () => {
    await localPara.addFault({ endpoint: "touch", apiKey: key.apiKey, hang: true, times: 1 });
    const res = fetch("http://localhost:8080/touch", { method: "POST", headers: { "x-external-api-key": key.apiKey }, signal: AbortSignal.timeout(300) });
    await expect(res).rejects.toThrow(/aborted|timeout/i);
  });

  it("crashWorker: signMessage rejects with a worker error, and a later sign succeeds", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const evm = wallet(minted, "EVM");
    await localPara.addFault({ endpoint: "mpcSign", apiKey: key.apiKey, crashWorker: true, times: 1 });
    await expect(para.signMessage({ walletId: evm.id, messageBase64: b64(digest) })).rejects.toThrow(/worker/);
    // SDK hazard: the crashed worker emits 'error' then, a tick later, 'exit'; a job posted in between lands on
    // the dying worker and fails with "worker exited unexpectedly". So retry briefly until the new worker runs.
    const res = await vi.waitFor(async () => (await para.signMessage({ walletId: evm.id, messageBase64: b64(digest) })) as { signature: string }, {
      timeout: 5_000,
      interval: 50,
    });
    expect(await recoverEvm(digest, res.signature)).toBe(evm.address);
  });

  it("verify endpoints are scoped by the key whose secret they carry", async () => {
    await localPara.addFault({ endpoint: "walletsVerify", apiKey: key.apiKey, status: 429 });
    const other = await localPara.createApiKey();
    expect((await post("/wallets/verify", { address: "0x00" }, { "x-external-api-key": key.secretApiKey })).status).toBe(429);
    expect((await post("/wallets/verify", { address: "0x00" }, { "x-external-api-key": other.secretApiKey })).status).toBe(404);
  });

  it("a fault scoped to one key leaves other keys alone", async () => {
    const other = await localPara.createApiKey();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: key.apiKey, status: 500 });
    const mine = await importedPara(await localPara.mintSession({ apiKey: key.apiKey }));
    const theirs = await importedPara(await localPara.mintSession({ apiKey: other.apiKey }));
    expect(await mine.keepSessionAlive()).toBe(false);
    expect(await theirs.keepSessionAlive()).toBe(true);
    expect((await localPara.stats()).faultsApplied).toBeGreaterThan(0);
  });
});
