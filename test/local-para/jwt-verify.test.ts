// JWTs issued through the real SDK verify against the JWKS; the secret-key REST endpoints answer like Para's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { API_URL, importedPara, post, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const jwks = createRemoteJWKSet(new URL(`${API_URL}/.well-known/jwks.json`));

describe("local Para JWT", () => {
  it("issueJwt returns a token that verifies with the JWKS for the key's audience", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey, email: "jwt@example.com" });
    const para = await importedPara(minted);
    const { token, keyId } = await para.issueJwt();
    expect(decodeProtectedHeader(token).kid).toBe(keyId);
    const { payload } = await jwtVerify(token, jwks, { audience: key.apiKeyId, algorithms: ["RS256"] });
    expect(payload.sub).toBe(minted.userId);
    const data = payload["data"] as Record<string, unknown>;
    expect(data).toMatchObject({ userId: minted.userId, authType: "email", identifier: "jwt@example.com", email: "jwt@example.com" });
    expect(data["wallets"]).toEqual(minted.wallets);
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    await expect(jwtVerify(token, jwks, { audience: "someone-else" })).rejects.toThrow();
  });

  it("issueJwt without an active session fails with 403", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    await localPara.revokeSession(minted.sessionCookie);
    await expect(para.issueJwt()).rejects.toMatchObject({ status: 403 });
  });

  it("the JWKS publishes an RS256 signing key", async () => {
    const body = (await (await fetch(`${API_URL}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(body.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(body.keys[0]).not.toHaveProperty("d");
  });
});

describe("local Para /sessions/verify and /wallets/verify", () => {
  it("verifies a live session's token with the secret key", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey, email: "v@example.com" });
    const res = await post("/sessions/verify", { verificationToken: minted.verificationToken }, { "x-external-api-key": key.secretApiKey });
    expect(res).toEqual({ status: 200, body: { authType: "email", identifier: "v@example.com", userId: minted.userId } });
  });

  it("refuses a wrong or missing secret with 401, a bad or dead token with 403", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const token = { verificationToken: minted.verificationToken };
    expect((await post("/sessions/verify", token, { "x-external-api-key": key.apiKey })).status).toBe(401);
    expect((await post("/sessions/verify", token)).status).toBe(401);
    const secret = { "x-external-api-key": key.secretApiKey };
    expect((await post("/sessions/verify", { verificationToken: "nope" }, secret)).status).toBe(403);
    const other = await localPara.createApiKey();
    expect((await post("/sessions/verify", token, { "x-external-api-key": other.secretApiKey })).status).toBe(403);
    await localPara.expireSession(minted.sessionCookie);
    expect(await post("/sessions/verify", token, secret)).toMatchObject({ status: 403, body: { message: "session expired" } });
  });

  it("resolves wallet addresses of the key's partner only (EVM case-insensitively)", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const evm = wallet(minted, "EVM");
    const sol = wallet(minted, "SOLANA");
    const secret = { "x-external-api-key": key.secretApiKey };
    expect(await post("/wallets/verify", { address: evm.address.toLowerCase() }, secret)).toEqual({ status: 200, body: { walletId: evm.id } });
    expect(await post("/wallets/verify", { address: sol.address }, secret)).toEqual({ status: 200, body: { walletId: sol.id } });
    expect((await post("/wallets/verify", { address: `0x${"00".repeat(20)}` }, secret)).status).toBe(404);
    const other = await localPara.createApiKey();
    expect((await post("/wallets/verify", { address: evm.address }, { "x-external-api-key": other.secretApiKey })).status).toBe(404);
    expect((await post("/wallets/verify", { address: evm.address }, { "x-external-api-key": "wrong" })).status).toBe(401);
  });
});
