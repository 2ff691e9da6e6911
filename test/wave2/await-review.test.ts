import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * AwaitReview against the local backend's review, decided through its admin API. Honest users: approved (then the
 * same request signs), denied, still pending at the deadline. The attacker: a caller awaiting another user's
 * pending transaction with its own session learns nothing but a denial.
 */
const text = (s: string) => new TextEncoder().encode(s);

describe("AwaitReview", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  /** A signing request Para sends to review, and the id the error names. */
  async function reviewed(): Promise<{ m: MintedSession; request: Parameters<SignerHarness["grpc"]["signMessage"]>[0]; id: string }> {
    const m = await h.mint();
    await localPara.setTransactionReview(m.wallets.find((w) => w.type === "EVM")!.id, true);
    const request = { session: m.session, message: text("please review"), format: MessageFormat.EIP191 };
    const error = await failure(h.grpc.signMessage(request));
    expect(error.code).toBe(Code.FailedPrecondition);
    const id = error.findDetails(ErrorInfoSchema)[0]?.metadata["pendingTransactionId"];
    if (!id) throw new Error("no pending transaction id");
    return { m, request, id };
  }

  test("approved while waiting: OK with status approved; the same request then signs", async () => {
    const { m, request, id } = await reviewed();
    const waiting = h.grpc.awaitReview({ session: m.session, pendingTransactionId: id }, { timeoutMs: 20_000 });
    // Decide once the wait has polled Para at least once.
    const polled = async () => ((await localPara.requestCounts({ userId: m.userId })).requests.pendingTransaction ?? 0) > 0;
    while (!(await polled())) await new Promise((r) => setTimeout(r, 50));
    await localPara.approvePendingTransaction(id);
    expect(await waiting).toMatchObject({ pendingTransactionId: id, status: "approved" });
    const signed = await h.grpc.signMessage(request);
    expect(signed.signature).toHaveLength(65);
  });

  test("denied: PERMISSION_DENIED, reason REVIEW_DENIED, with the id", async () => {
    const { m, id } = await reviewed();
    await localPara.denyPendingTransaction(id);
    const error = await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: id }, { timeoutMs: 20_000 }));
    expect(error.code).toBe(Code.PermissionDenied);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("REVIEW_DENIED");
    expect(info?.metadata["pendingTransactionId"]).toBe(id);
  });

  test("still pending at the caller's deadline: DEADLINE_EXCEEDED with the id again, answered before the deadline", async () => {
    const { m, id } = await reviewed();
    const error = await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: id }, { timeoutMs: 1_500 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    const info = error.findDetails(ErrorInfoSchema)[0];
    // Our answer, not the client's own timer: it carries the reason and the id.
    expect(info?.reason).toBe("TRANSACTION_REVIEW_REQUIRED");
    expect(info?.metadata["pendingTransactionId"]).toBe(id);
    // Polled with back-off, not once a second or faster.
    const polls = (await localPara.requestCounts({ userId: m.userId })).requests.pendingTransaction ?? 0;
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(4);
  });

  test("attacker: another user's pending id with one's own session is a denial, and reveals nothing", async () => {
    const { id } = await reviewed();
    const attacker = await h.mint();
    const error = await failure(h.grpc.awaitReview({ session: attacker.session, pendingTransactionId: id }, { timeoutMs: 20_000 }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("REVIEW_DENIED");
  });

  test("attacker: one user opening many waits on its own review is capped; another user's wait is still served", async () => {
    const { m, id } = await reviewed();
    const controller = new AbortController();
    const held = Array.from({ length: 4 }, () =>
      h.grpc.awaitReview({ session: m.session, pendingTransactionId: id }, { timeoutMs: 20_000, signal: controller.signal }).catch(() => undefined),
    );
    // Wait until the four are polling.
    while (((await localPara.requestCounts({ userId: m.userId })).requests.pendingTransaction ?? 0) < 4) await new Promise((r) => setTimeout(r, 50));
    const fifth = await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: id }, { timeoutMs: 20_000 }));
    expect(fifth.code).toBe(Code.ResourceExhausted);
    expect(fifth.findDetails(ErrorInfoSchema)[0]?.reason).toBe("REVIEW_WAITS_EXHAUSTED");
    const other = await reviewed();
    await localPara.denyPendingTransaction(other.id);
    expect((await failure(h.grpc.awaitReview({ session: other.m.session, pendingTransactionId: other.id }))).code).toBe(Code.PermissionDenied);
    controller.abort();
    await Promise.all(held);
  });

  test("malformed id or inactive session: refused before any poll", async () => {
    const m = await h.mint();
    expect((await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: "../../users" }))).code).toBe(Code.InvalidArgument);
    expect((await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: "" }))).code).toBe(Code.InvalidArgument);
    await localPara.revokeSession(m.sessionCookie);
    expect((await failure(h.grpc.awaitReview({ session: m.session, pendingTransactionId: "ptx-1" }))).code).toBe(Code.Unauthenticated);
  });
});
