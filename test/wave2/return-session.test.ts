import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * return_session: after a keep-alive Para may rotate the session id (x-capsule-sid); the caller gets the session as
 * Para now knows it and stores it in place of the old one. Honest users: the returned session works where the old
 * one stopped. The attacker: a caller who asks for the session back cannot get more than it sent (no signer it
 * did not hold, nothing for another user).
 */
type Doc = { userId: string; sessionCookie: string; wallets: Record<string, { signer?: string }> };
const decode = (s: string) => JSON.parse(Buffer.from(s, "base64").toString()) as Doc;
const text = (s: string) => new TextEncoder().encode(s);

describe("return_session", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("CheckSession(extend) with a rotating Para: the returned session carries the new id and is the one that works", async () => {
    const m = await h.mint();
    await localPara.setSessionRotation({ userId: m.userId, enabled: true, graceMs: 0 });
    const res = await h.grpc.checkSession({ session: m.session, extend: true, returnSession: true });
    expect(res.extended).toBe(true);
    expect(res.session).not.toBe("");
    const [before, after] = [decode(m.session), decode(res.session)];
    expect(after.userId).toBe(before.userId);
    expect(after.sessionCookie).not.toBe(before.sessionCookie);
    await localPara.setSessionRotation({ userId: m.userId, enabled: false });
    expect((await h.grpc.checkSession({ session: res.session })).active).toBe(true);
    // The old id ended with the rotation (no grace here): a caller that kept it would be locked out.
    expect((await h.grpc.checkSession({ session: m.session })).active).toBe(false);
    const signed = await h.grpc.signMessage({ session: res.session, message: text("with the new id"), format: MessageFormat.EIP191 });
    expect(signed.signature).toHaveLength(65);
  });

  test("SignMessage returns the session after its keep-alive; without return_session nothing is returned", async () => {
    const m = await h.mint();
    await localPara.setSessionRotation({ userId: m.userId, enabled: true, graceMs: 0 });
    const res = await h.grpc.signMessage({ session: m.session, message: text("sign and refresh"), format: MessageFormat.EIP191, returnSession: true });
    expect(decode(res.session).sessionCookie).not.toBe(m.sessionCookie);
    const again = await h.grpc.signMessage({ session: res.session, message: text("again"), format: MessageFormat.EIP191, skipKeepAlive: true });
    expect(again.session).toBe("");
    expect(again.signature).toHaveLength(65);
  });

  test("every signing RPC can return the session: a batch and an authorization after a rotating keep-alive", async () => {
    const m = await h.mint();
    await localPara.setSessionRotation({ userId: m.userId, enabled: true, graceMs: 0 });
    const batch = await h.grpc.signMessages({ session: m.session, items: [{ message: text("a"), format: MessageFormat.EIP191 }], returnSession: true });
    const rotated = decode(batch.session);
    expect(rotated.sessionCookie).not.toBe(m.sessionCookie);
    const auth = await h.grpc.signAuthorization({
      session: batch.session,
      chainId: 1n,
      contractAddress: "0x000000000000000000000000000000000000dead",
      nonce: 1n,
      returnSession: true,
    });
    expect(decode(auth.session).sessionCookie).not.toBe(rotated.sessionCookie);
    await localPara.setSessionRotation({ userId: m.userId, enabled: false });
    expect((await h.grpc.checkSession({ session: auth.session })).active).toBe(true);
  });

  test("exclude_signers: the returned session has no signer shares, so it can check but not sign", async () => {
    const m = await h.mint();
    const res = await h.grpc.checkSession({ session: m.session, returnSession: true, excludeSigners: true });
    expect(Object.values(decode(res.session).wallets).every((w) => w.signer === undefined)).toBe(true);
    expect(Object.values(decode(m.session).wallets).some((w) => w.signer !== undefined)).toBe(true);
    expect((await h.grpc.checkSession({ session: res.session })).active).toBe(true);
    const error = await failure(h.grpc.signMessage({ session: res.session, message: text("x"), format: MessageFormat.EIP191 }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNER_MISSING");
  });

  test("attacker: a session without signers asked back with signers gets none; an inactive session gets nothing back", async () => {
    const m = await h.mint();
    const res = await h.grpc.checkSession({ session: m.sessionWithoutSigners, returnSession: true, excludeSigners: false });
    expect(Object.values(decode(res.session).wallets).every((w) => w.signer === undefined)).toBe(true);
    await localPara.revokeSession(m.sessionCookie);
    const inactive = await h.grpc.checkSession({ session: m.session, returnSession: true });
    expect(inactive.active).toBe(false);
    expect(inactive.session).toBe("");
  });
});
