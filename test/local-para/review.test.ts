// Transaction review switched on per wallet: the real SDK receives a review URL, polls, and signs once approved.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { b64, importedPara, post, recoverEvm, resetSdkWorker, wallet } from "./helpers.js";

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const digest = keccak_256(new TextEncoder().encode("review me"));

describe("local Para transaction review", () => {
  it("messages/sign answers a pendingTransactionId while review is required", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const evm = wallet(minted, "EVM");
    await localPara.setTransactionReview(evm.id, true);
    const headers = { "x-external-api-key": key.apiKey, "x-capsule-sid": minted.sessionCookie };
    const body = { message: b64(digest), scheme: null, cosmosSignDoc: null, protocolId: "p-review" };
    const res = await post(`/users/${minted.userId}/wallets/${evm.id}/messages/sign`, body, headers);
    const id = (res.body as { pendingTransactionId: string }).pendingTransactionId;
    expect(id).toBeTypeOf("string");
    const poll = await fetch(`http://localhost:8080/users/${minted.userId}/pending-transactions/${id}`, { headers });
    expect(await poll.json()).toEqual({ pendingTransaction: { id, approvedAt: null } });
    await localPara.approvePendingTransaction(id);
    const approved = (await (await fetch(`http://localhost:8080/users/${minted.userId}/pending-transactions/${id}`, { headers })).json()) as {
      pendingTransaction: { approvedAt: string };
    };
    expect(new Date(approved.pendingTransaction.approvedAt).getTime()).toBeGreaterThan(0);
    await localPara.setTransactionReview(evm.id, false);
    expect((await post(`/users/${minted.userId}/wallets/${evm.id}/messages/sign`, body, headers)).body).toEqual({});
  });

  it("the SDK gets a review URL, and signs after approval", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const evm = wallet(minted, "EVM");
    await localPara.setTransactionReview(evm.id, true);
    let reviewUrl = "";
    const res = (await para.signMessage({
      walletId: evm.id,
      messageBase64: b64(digest),
      timeoutMs: 20_000,
      onTransactionReviewUrl: (url: string) => {
        reviewUrl = url;
        const id = /transaction-review\/([^?/]+)/.exec(url)?.[1] ?? "";
        void localPara.approvePendingTransaction(id);
      },
    })) as { signature: string };
    expect(reviewUrl).toContain(`/web/users/${minted.userId}/transaction-review/`);
    expect(await recoverEvm(digest, res.signature)).toBe(evm.address);
  });
});
