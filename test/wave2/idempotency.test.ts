import { toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  MessageFormat,
  SignAuthorizationResponseSchema,
  SignMessageResponseSchema,
  SignMessagesResponseSchema,
} from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * Idempotency keys through a real server. Honest users: a retry after a lost answer gets the first signature
 * byte for byte (MPC ECDSA is randomised: a second signing would differ), concurrent duplicates sign once. The
 * attackers: a reused key with another body is refused; another user sending the same key gets nothing of the
 * first user's; keys never reach the logs.
 */
const text = (s: string) => new TextEncoder().encode(s);
const signs = async (userId: string) => (await localPara.requestCounts({ userId })).requests.messagesSign ?? 0;

describe("idempotency keys", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("replay: the same key and request answer the first response byte for byte, with no second signing", async () => {
    const m = await h.mint();
    const request = { session: m.session, message: text("pay 10"), format: MessageFormat.EIP191, idempotencyKey: "order-1" };
    const first = await h.grpc.signMessage(request);
    const signedOnce = await signs(m.userId);
    const again = await h.grpc.signMessage({ ...request, skipKeepAlive: true });
    expect(Buffer.from(toBinary(SignMessageResponseSchema, again))).toEqual(Buffer.from(toBinary(SignMessageResponseSchema, first)));
    expect(await signs(m.userId)).toBe(signedOnce);
    // Without a key the same request is signed again (on real Para, MPC ECDSA would give another signature; the
    // local backend's signing is deterministic, so count the signing round trips instead).
    await h.grpc.signMessage({ ...request, idempotencyKey: "" });
    expect(await signs(m.userId)).toBe(signedOnce + 1);
  });

  test("the key as the idempotency-key header works the same, over gRPC and Connect", async () => {
    const m = await h.mint();
    const request = { session: m.session, message: text("header key"), format: MessageFormat.EIP191 };
    const first = await h.grpc.signMessage(request, { headers: { "idempotency-key": "hdr-1" } });
    const viaConnect = await h.connect.signMessage(request, { headers: { "idempotency-key": "hdr-1" } });
    const viaField = await h.grpc.signMessage({ ...request, idempotencyKey: "hdr-1" });
    expect(viaConnect.signature).toEqual(first.signature);
    expect(viaField.signature).toEqual(first.signature);
    const differ = await failure(h.grpc.signMessage({ ...request, idempotencyKey: "hdr-2" }, { headers: { "idempotency-key": "hdr-1" } }));
    expect(differ.code).toBe(Code.InvalidArgument);
    expect(differ.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("idempotency_key");
  });

  test("attacker: the same key with another request is refused, FAILED_PRECONDITION IDEMPOTENCY_KEY_REUSED", async () => {
    const m = await h.mint();
    await h.grpc.signMessage({ session: m.session, message: text("pay 10"), format: MessageFormat.EIP191, idempotencyKey: "reused-key-7f1" });
    const error = await failure(
      h.grpc.signMessage({ session: m.session, message: text("pay 10000"), format: MessageFormat.EIP191, idempotencyKey: "reused-key-7f1" }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(error.rawMessage).not.toContain("reused-key-7f1");
    // The same key on another RPC is a reuse too.
    const other = await failure(
      h.grpc.signMessages({ session: m.session, items: [{ message: text("pay 10"), format: MessageFormat.EIP191 }], idempotencyKey: "reused-key-7f1" }),
    );
    expect(other.findDetails(ErrorInfoSchema)[0]?.reason).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  test("concurrent duplicates: one Para signing call, every caller gets the same bytes", async () => {
    const m = await h.mint();
    const before = await signs(m.userId);
    const request = { session: m.session, message: text("once"), format: MessageFormat.EIP191, idempotencyKey: "dup-1" };
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.grpc.signMessage(request)));
    expect(await signs(m.userId)).toBe(before + 1);
    for (const answer of answers) expect(answer.signature).toEqual(answers[0]!.signature);
  });

  test("attacker: another user sending the same key and message gets their own signature, never the first user's", async () => {
    const [a, b] = await Promise.all([h.mint(), h.mint()]);
    const message = text("same words");
    const first = await h.grpc.signMessage({ session: a.session, message, format: MessageFormat.EIP191, idempotencyKey: "shared-key" });
    const other = await h.grpc.signMessage({ session: b.session, message, format: MessageFormat.EIP191, idempotencyKey: "shared-key" });
    expect(other.address).toBe(b.wallets.find((w) => w.type === "EVM")!.address);
    expect(other.signature).not.toEqual(first.signature);
  });

  test("every signing RPC takes a key: a batch and an authorization replay byte for byte", async () => {
    const m = await h.mint();
    const batch = {
      session: m.session,
      items: [
        { message: text("a"), format: MessageFormat.EIP191 },
        { message: text("b"), format: MessageFormat.EIP191 },
      ],
    };
    const b1 = await h.grpc.signMessages({ ...batch, idempotencyKey: "batch-1" });
    const b2 = await h.grpc.signMessages({ ...batch, idempotencyKey: "batch-1" });
    expect(Buffer.from(toBinary(SignMessagesResponseSchema, b2))).toEqual(Buffer.from(toBinary(SignMessagesResponseSchema, b1)));
    const auth = { session: m.session, chainId: 1n, contractAddress: "0x000000000000000000000000000000000000dead", nonce: 1n, idempotencyKey: "auth-1" };
    const a1 = await h.grpc.signAuthorization(auth);
    const a2 = await h.grpc.signAuthorization(auth);
    expect(Buffer.from(toBinary(SignAuthorizationResponseSchema, a2))).toEqual(Buffer.from(toBinary(SignAuthorizationResponseSchema, a1)));
  });

  test("a failed call is not remembered: after a review is approved, the same key signs", async () => {
    const m = await h.mint();
    await localPara.setTransactionReview(m.wallets.find((w) => w.type === "EVM")!.id, true);
    const request = { session: m.session, message: text("reviewed"), format: MessageFormat.EIP191, idempotencyKey: "review-1" };
    const error = await failure(h.grpc.signMessage(request));
    const id = error.findDetails(ErrorInfoSchema)[0]?.metadata["pendingTransactionId"];
    expect(id).toBeTruthy();
    await localPara.approvePendingTransaction(id!);
    expect((await h.grpc.signMessage(request)).signature).toHaveLength(65);
  });

  test("a batch with an item waiting for review is not remembered: after approval the same batch and key sign it", async () => {
    const m = await h.mint();
    await localPara.setTransactionReview(m.wallets.find((w) => w.type === "EVM")!.id, true);
    const batch = { session: m.session, items: [{ message: text("needs review"), format: MessageFormat.EIP191 }], idempotencyKey: "batch-review-1" };
    const first = await h.grpc.signMessages(batch);
    expect(first.results[0]?.result.case).toBe("error");
    const [pending] = await localPara.pendingTransactions(m.userId);
    await localPara.approvePendingTransaction(pending!.id);
    const again = await h.grpc.signMessages(batch);
    expect(again.results[0]?.result.case).toBe("signature");
  });

  test("a retry carrying the session Para rotated since replays the first answer; the returned session is never stored", async () => {
    const m = await h.mint();
    await localPara.setSessionRotation({ userId: m.userId, enabled: true, graceMs: 60_000 });
    const request = { message: text("rotating"), format: MessageFormat.EIP191, idempotencyKey: "rotated-1", returnSession: true };
    const first = await h.grpc.signMessage({ session: m.session, ...request });
    await localPara.setSessionRotation({ userId: m.userId, enabled: false });
    const retry = await h.grpc.signMessage({ session: first.session, ...request });
    expect(retry.signature).toEqual(first.signature);
    // The replay's session is exported for this answer from the session it came with, not the first call's copy.
    expect(retry.session).not.toBe("");
    expect((await h.grpc.checkSession({ session: retry.session })).active).toBe(true);
  });

  test("malformed keys are the caller's error, before any Para work", async () => {
    const m = await h.mint();
    for (const idempotencyKey of ["x".repeat(256), "tab\there"]) {
      const error = await failure(h.grpc.signMessage({ session: m.session, message: text("x"), format: MessageFormat.EIP191, idempotencyKey }));
      expect(error.code).toBe(Code.InvalidArgument);
    }
    expect((await localPara.requestCounts({ userId: m.userId })).total).toBe(0);
  });

  test("keys never reach the logs", () => {
    const logs = h.logs.join("\n");
    for (const key of ["order-1", "hdr-1", "reused-key-7f1", "dup-1", "shared-key", "batch-1", "auth-1", "review-1"]) expect(logs).not.toContain(key);
  });
});
