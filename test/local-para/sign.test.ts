// Signing through the real SDK and the substitute worker bundle: real secp256k1 and ed25519 signatures, and no
// signature from a share alone, a session without signers, or a dead session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { b64, importedPara, post, recoverEvm, resetSdkWorker, verifyEd25519, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const digest = keccak_256(new TextEncoder().encode("para-signer local test"));

describe("local Para signing", () => {
  it("EVM: the signature recovers to the wallet address", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const evm = wallet(minted, "EVM");
    const res = (await para.signMessage({ walletId: evm.id, messageBase64: b64(digest) })) as { signature: string };
    expect(res.signature).toMatch(/^[0-9a-f]{128}0[01]$/);
    expect(await recoverEvm(digest, res.signature)).toBe(evm.address);
  });

  it("Solana: the signature verifies with the wallet's public key", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const sol = wallet(minted, "SOLANA");
    const message = new TextEncoder().encode("any bytes at all, not a digest");
    const res = (await para.signMessage({ walletId: sol.id, messageBase64: b64(message) })) as { signature: string };
    expect(Buffer.from(res.signature, "base64")).toHaveLength(64);
    expect(verifyEd25519(message, res.signature, sol.publicKey)).toBe(true);
  });

  it("EVM refuses a message that is not a 32-byte digest (the worker job fails)", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    await expect(para.signMessage({ walletId: wallet(minted, "EVM").id, messageBase64: b64("short") })).rejects.toThrow(/worker/);
  });

  it("a session exported without signers cannot sign", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey, excludeSigners: true });
    expect(minted.session).toBe(minted.sessionWithoutSigners);
    const para = await importedPara(minted);
    await expect(para.signMessage({ walletId: wallet(minted, "EVM").id, messageBase64: b64(digest) })).rejects.toThrow();
  });

  it("a revoked session cannot sign", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    await localPara.revokeSession(minted.sessionCookie);
    await expect(para.signMessage({ walletId: wallet(minted, "SOLANA").id, messageBase64: b64("x") })).rejects.toThrow(/worker/);
  });

  it("a share alone signs nothing: the MPC step needs a protocol registered by a live session", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const parsed = JSON.parse(Buffer.from(minted.session, "base64").toString()) as { wallets: Record<string, { signer: string }> };
    const evm = wallet(minted, "EVM");
    const share = parsed.wallets[evm.id]?.signer;
    const headers = { "x-external-api-key": key.apiKey, "x-capsule-sid": minted.sessionCookie };
    const res = await post("/_local/mpc/sign", { protocolId: "made-up", share, message: b64(digest) }, headers);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toMatch(/[0-9a-f]{128}/);
  });

  it("a protocol is single-use and bound to its wallet's share", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const parsed = JSON.parse(Buffer.from(minted.session, "base64").toString()) as { wallets: Record<string, { signer: string }> };
    const evm = wallet(minted, "EVM");
    const sol = wallet(minted, "SOLANA");
    const headers = { "x-external-api-key": key.apiKey, "x-capsule-sid": minted.sessionCookie };
    const message = b64(digest);
    const presign = await post(
      `/users/${minted.userId}/wallets/${evm.id}/messages/sign`,
      { message, scheme: null, cosmosSignDoc: null, protocolId: "p-1" },
      headers,
    );
    expect(presign).toEqual({ status: 200, body: {} });
    // The Solana wallet's share does not fit the EVM wallet's protocol.
    const wrong = await post("/_local/mpc/sign", { protocolId: "p-1", share: parsed.wallets[sol.id]?.signer, message }, headers);
    expect(wrong.status).toBe(403);
    // The failed attempt spent the protocol.
    const again = await post("/_local/mpc/sign", { protocolId: "p-1", share: parsed.wallets[evm.id]?.signer, message }, headers);
    expect(again.status).toBe(403);
  });
});
