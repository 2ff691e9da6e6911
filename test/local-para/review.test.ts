// Transaction review switched on per wallet: the real SDK receives a review URL, polls, and signs once approved;
// a denial ends the poll with TransactionReviewDenied and can never be turned into an approval.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { localPara } from "../support/local-para-admin.js";
import type { ApiKeyInfo } from "../../src/local-para/types.js";
import { b64, importedPara, post, recoverEvm, resetSdkWorker, wallet } from "./helpers.js";

const run = promisify(execFile);

let key: ApiKeyInfo;
beforeAll(async () => {
  key = await localPara.createApiKey();
});
afterAll(() => resetSdkWorker());

const digest = keccak_256(new TextEncoder().encode("review me"));

/** Presigns over raw HTTP with review on, and returns what a test needs to poll the pending transaction. */
async function pendingReview(protocolId: string) {
  const minted = await localPara.mintSession({ apiKey: key.apiKey });
  const evm = wallet(minted, "EVM");
  await localPara.setTransactionReview(evm.id, true);
  const headers = { "x-external-api-key": key.apiKey, "x-capsule-sid": minted.sessionCookie };
  const body = { message: b64(digest), scheme: null, cosmosSignDoc: null, protocolId };
  const presign = () => post(`/users/${minted.userId}/wallets/${evm.id}/messages/sign`, body, headers);
  const id = ((await presign()).body as { pendingTransactionId: string }).pendingTransactionId;
  const poll = () => fetch(`http://localhost:8080/users/${minted.userId}/pending-transactions/${id}`, { headers });
  return { minted, evm, id, presign, poll };
}

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

  it("a denied transaction polls as 404, is never approved, and a later presign of the same message waits for a new review", async () => {
    const { minted, evm, id, presign, poll } = await pendingReview("p-deny");
    expect((await localPara.pendingTransactions(minted.userId)).map((p) => [p.id, p.walletId, p.state])).toEqual([[id, evm.id, "pending"]]);
    await localPara.denyPendingTransaction(id);
    await localPara.denyPendingTransaction(id); // a second denial changes nothing
    const denied = await poll();
    expect(denied.status).toBe(404);
    expect(await denied.json()).toEqual({ message: "pending transaction not found" });
    await expect(localPara.approvePendingTransaction(id)).rejects.toThrow(/409 .*denied/);
    expect((await poll()).status).toBe(404);
    const [listed] = await localPara.pendingTransactions(minted.userId);
    expect(listed).toMatchObject({ id, state: "denied", approvedAt: null });
    expect(new Date(listed?.deniedAt ?? "").getTime()).toBeGreaterThan(0);
    // The denial is not an approval in disguise: the same message goes to review again, under a new id.
    const again = (await presign()).body as { pendingTransactionId: string };
    expect(again.pendingTransactionId).toBeTypeOf("string");
    expect(again.pendingTransactionId).not.toBe(id);
  });

  it("an approved transaction cannot be denied, and is consumed by the one sign it lets through", async () => {
    const { minted, id, presign, poll } = await pendingReview("p-approve-then-deny");
    await localPara.approvePendingTransaction(id);
    await expect(localPara.denyPendingTransaction(id)).rejects.toThrow(/409 .*approved/);
    expect((await poll()).status).toBe(200);
    expect((await presign()).body).toEqual({});
    expect((await localPara.pendingTransactions(minted.userId)).map((p) => p.state)).toEqual(["consumed"]);
  });

  it("deciding on an unknown pending transaction, or listing without a user, is a bad request", async () => {
    await expect(localPara.denyPendingTransaction("no-such-ptx")).rejects.toThrow(/400 .*unknown pending transaction/);
    await expect(localPara.approvePendingTransaction("no-such-ptx")).rejects.toThrow(/400 .*unknown pending transaction/);
    const res = await fetch("http://localhost:8080/_local/pending-transactions");
    expect(res.status).toBe(400);
    // Another user's list is theirs alone.
    expect(await localPara.pendingTransactions("no-such-user")).toEqual([]);
  });

  it("the SDK's review poll ends in TransactionReviewDenied once the user denies", async () => {
    const minted = await localPara.mintSession({ apiKey: key.apiKey });
    const para = await importedPara(minted);
    const evm = wallet(minted, "EVM");
    await localPara.setTransactionReview(evm.id, true);
    const signing = para.signMessage({
      walletId: evm.id,
      messageBase64: b64(digest),
      timeoutMs: 20_000,
      onTransactionReviewUrl: (url: string) => {
        const id = /transaction-review\/([^?/]+)/.exec(url)?.[1] ?? "";
        void localPara.denyPendingTransaction(id);
      },
    });
    await expect(signing).rejects.toMatchObject({ name: "TransactionReviewDenied" });
    // One presign, which went to review; no second job, no MPC step.
    const { requests } = await localPara.requestCounts({ userId: minted.userId });
    expect([requests.messagesSign, requests.mpcSign]).toEqual([1, undefined]);
    expect((await localPara.pendingTransactions(minted.userId)).map((p) => p.state)).toEqual(["denied"]);
  });

  it("the CLI approves and denies by id, and lists a user's reviews", async () => {
    const denied = await pendingReview("p-cli-deny");
    const approved = await pendingReview("p-cli-approve");
    const cli = (...args: string[]) => run("npx", ["tsx", "src/local-para/cli.ts", "review", ...args], { timeout: 30_000 });
    expect((await cli("deny", denied.id)).stdout).toBe("pending transaction denied\n");
    expect((await cli("approve", approved.id)).stdout).toBe("pending transaction approved\n");
    expect((await denied.poll()).status).toBe(404);
    expect((await approved.poll()).status).toBe(200);
    await expect(cli("approve", denied.id)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/review: the backend refused \(409\)/) });
    await expect(cli("maybe", denied.id)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/give `approve <id>`/) });
    const { stdout } = await cli("list", "--user-id", denied.minted.userId);
    expect(stdout).toMatch(new RegExp(`^${denied.id}  denied  wallet ${denied.evm.id}  created `));
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
