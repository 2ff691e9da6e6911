import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { localPara } from "../support/local-para-admin.js";
import { failure } from "../support/failure.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const digest = () => new Uint8Array(32).map(() => Math.floor(Math.random() * 256));

/** Every row of docs/design.md §4 that Para's behaviour produces, each from a real situation on the local backend. */
describe("Para failures map to gRPC codes", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness({ env: { SIGNER_PARA_CALL_TIMEOUT_MS: "1500" } });
  });
  afterEach(() => localPara.clearFaults(h.key.apiKey));
  afterAll(() => h.stop());

  test("Para 429 → RESOURCE_EXHAUSTED with RetryInfo", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 429, body: { message: "rate limited" } });
    const error = await failure(h.grpc.checkSession({ session: minted.session }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.findDetails(RetryInfoSchema)).toHaveLength(1);
  });

  test("Para 5xx → UNAVAILABLE with RetryInfo", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 503 });
    const error = await failure(h.grpc.checkSession({ session: minted.session }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.findDetails(RetryInfoSchema)).toHaveLength(1);
  });

  test("a dropped connection → UNAVAILABLE", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "jwt", apiKey: h.key.apiKey, drop: true });
    expect((await failure(h.grpc.issueJwt({ session: minted.session }))).code).toBe(Code.Unavailable);
  });

  test("Para hangs: the caller's deadline → DEADLINE_EXCEEDED, promptly", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, hang: true });
    const error = await failure(h.grpc.checkSession({ session: minted.session, extend: true }, { timeoutMs: 400 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  test("Para hangs and the caller set no deadline: the server's cap → DEADLINE_EXCEEDED", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "jwt", apiKey: h.key.apiKey, hang: true });
    expect((await failure(h.grpc.issueJwt({ session: minted.session }))).code).toBe(Code.DeadlineExceeded);
  });

  test("keep-alive refused → SignMessage UNAUTHENTICATED; CheckSession says extended=false", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, status: 403 });
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: digest() }))).code).toBe(Code.Unauthenticated);
    expect(await h.grpc.checkSession({ session: minted.session, extend: true })).toMatchObject({ active: true, extended: false });
  });

  test("keep-alive unanswered (connection dropped, or 503) → SignMessage UNAVAILABLE, not UNAUTHENTICATED", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, drop: true, times: 1 });
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: digest() }))).code).toBe(Code.Unavailable);
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, status: 503, times: 1 });
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: digest() }))).code).toBe(Code.Unavailable);
  });

  test("transaction review → FAILED_PRECONDITION / TRANSACTION_REVIEW_REQUIRED with the pending id, no RSA keygen", async () => {
    const minted = await h.mint();
    const evm = minted.wallets.find((w) => w.type === "EVM")!;
    await localPara.setTransactionReview(evm.id, true);
    const before = (await localPara.stats()).requests;
    const error = await failure(h.grpc.signMessage({ session: minted.session, message: digest(), walletId: evm.id }));
    expect(error.code).toBe(Code.FailedPrecondition);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("TRANSACTION_REVIEW_REQUIRED");
    expect(info?.metadata["pendingTransactionId"]).toBeTruthy();
    // The SDK's review flow (which generates an RSA key on the event loop) never ran: it would have fetched the
    // portal's prime worker and the user's auth methods first.
    const after = (await localPara.stats()).requests;
    expect(after.primeWorker ?? 0).toBe(before.primeWorker ?? 0);
    expect(after.supportedAuthMethods ?? 0).toBe(before.supportedAuthMethods ?? 0);
  });

  test("Para unreachable for the verify endpoints → UNAVAILABLE", async () => {
    await localPara.addFault({ endpoint: "walletsVerify", apiKey: h.key.apiKey, status: 502 });
    const minted = await h.mint();
    expect((await failure(h.grpc.verifyWallet({ address: minted.wallets[0]!.address }))).code).toBe(Code.Unavailable);
  });

  test("a crash of the shared signing worker: innocent concurrent calls still succeed; the process stays up", async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => h.mint()));
    // The next signing job crashes the worker; every job in flight with it is rejected by the SDK.
    await localPara.addFault({ endpoint: "mpcSign", apiKey: h.key.apiKey, crashWorker: true, times: 1 });
    const results = await Promise.allSettled(
      sessions.map((m) => h.grpc.signMessage({ session: m.session, message: new TextEncoder().encode("x"), format: MessageFormat.EIP191 })),
    );
    const failed = results.filter((r) => r.status === "rejected");
    expect(failed).toHaveLength(0);
    // And signing keeps working afterwards, on one re-warmed worker.
    const res = await h.grpc.signMessage({ session: sessions[0]!.session, message: digest() });
    expect(res.signature.length).toBe(65);
  });

  test("a job Para refuses (crashing the worker) fails alone with SIGNING_REFUSED, the others succeed; its wallet is then held", async () => {
    const culprit = await h.mint();
    const others = await Promise.all(Array.from({ length: 6 }, () => h.mint()));
    // Para refuses this one user's presign every time; the SDK's worker crashes on any such refusal.
    await localPara.addFault({ endpoint: "messagesSign", apiKey: h.key.apiKey, userId: culprit.userId, status: 403 });
    const [bad, ...good] = await Promise.allSettled([culprit, ...others].map((m) => h.grpc.signMessage({ session: m.session, message: digest() })));
    expect(bad?.status).toBe("rejected");
    const refusal = ConnectError.from((bad as PromiseRejectedResult).reason);
    expect(refusal.code).toBe(Code.FailedPrecondition);
    expect(refusal.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
    expect(refusal.findDetails(RetryInfoSchema)).toHaveLength(1);
    expect(good.every((r) => r.status === "fulfilled")).toBe(true);
    expect(h.service.stats().worker.convicted).toBeGreaterThanOrEqual(1);
    // The held wallet is refused without a signing job: Para's presign endpoint sees no new request.
    const presignsBefore = (await localPara.stats()).byApiKey[h.key.apiKey]?.messagesSign ?? 0;
    const again = await h.grpc.signMessage({ session: culprit.session, message: digest() }).catch((e: unknown) => ConnectError.from(e));
    expect(again).toBeInstanceOf(ConnectError);
    expect((again as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
    expect((await localPara.stats()).byApiKey[h.key.apiKey]?.messagesSign ?? 0).toBe(presignsBefore);
  });
});
