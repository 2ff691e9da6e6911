// The emulator's transaction route through the real SDK's own signTransaction (as @getpara/viem-v2-integration calls
// it), and its policy denial as Para answers it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, parseSignature, recoverAddress, serializeTransaction, type TransactionSerializable } from "viem";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { b64, importedPara, post, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const tx: TransactionSerializable = {
  type: "eip1559",
  chainId: 1,
  nonce: 0,
  to: "0x000000000000000000000000000000000000dEaD",
  value: 1n,
  gas: 21_000n,
  maxFeePerGas: 2n,
  maxPriorityFeePerGas: 1n,
};
const hexToB64 = (hex: string) => Buffer.from(hex.slice(2), "hex").toString("base64");

describe("local Para transaction signing", () => {
  it.each([
    ["as Para's viem integration serializes it (empty signature)", serializeTransaction(tx, { r: "0x", s: "0x", v: 0n })],
    ["unsigned", serializeTransaction(tx)],
  ])("the SDK's signTransaction, %s: the signature is over the unsigned transaction's hash", async (_note, serialized) => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const evm = wallet(minted, "EVM");
    const res = (await para.signTransaction({ walletId: evm.id, rlpEncodedTxBase64: hexToB64(serialized), chainId: "1" })) as { signature: string };
    const recovered = await recoverAddress({ hash: keccak256(serializeTransaction(tx)), signature: parseSignature(`0x${res.signature}`) });
    expect(recovered).toBe(evm.address);
  });

  it("a policy denial is a 403 naming the code and rule; a chain mismatch or a signed transaction is a 400", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const evm = wallet(minted, "EVM");
    const path = `/users/${minted.userId}/wallets/${evm.id}/transactions/sign`;
    const headers = { "x-capsule-sid": minted.sessionCookie, "x-external-api-key": key.apiKey };
    const body = (t: string, chainId = "1") => ({ transaction: hexToB64(t), chainId, protocolId: "p-1" });
    expect((await post(path, body(serializeTransaction(tx), "5"), headers)).status).toBe(400);
    const signed = serializeTransaction(tx, { r: `0x${"11".repeat(32)}`, s: `0x${"22".repeat(32)}`, yParity: 1 });
    expect((await post(path, body(signed), headers)).status).toBe(400);
    expect((await post(path, body(serializeTransaction(tx)), headers)).status).toBe(200);
    await localPara.setPolicyDenial(evm.id, true, "rule-1");
    const denied = await post(path, body(serializeTransaction(tx)), headers);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: "POLICY_DENIED", deniedBy: "rule-1" });
    const message = await post(`/users/${minted.userId}/wallets/${evm.id}/messages/sign`, { message: b64(new Uint8Array(32)), protocolId: "p-2" }, headers);
    expect(message.status).toBe(403);
    await localPara.setPolicyDenial(evm.id, false);
    expect((await post(path, body(serializeTransaction(tx)), headers)).status).toBe(200);
  });

  it("the admin API refuses a rule id that is not a plain identifier", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    await expect(localPara.setPolicyDenial(wallet(minted, "EVM").id, true, "<b>")).rejects.toThrow(/400/);
  });
});
