import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { localPara } from "../support/local-para-admin.js";
import { failure } from "../support/failure.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");

describe("CheckSession against the local Para backend", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("an active session: user, auth and wallets without key material", async () => {
    const minted = await h.mint({ email: "carol@example.com" });
    const res = await h.grpc.checkSession({ session: minted.session });
    expect(res.active).toBe(true);
    expect(res.extended).toBe(false);
    expect(res.userId).toBe(minted.userId);
    expect(res.auth).toMatchObject({ authType: "email", identifier: "carol@example.com" });
    expect(res.wallets.map((w) => [w.id, w.type, w.address, w.hasSigner])).toEqual(
      minted.wallets.map((w) => [w.id, w.type === "EVM" ? WalletType.EVM : WalletType.SOLANA, w.address, true]),
    );
    expect(JSON.stringify(res)).not.toContain('signer":');
  });

  test("extend=true extends an active session", async () => {
    const minted = await h.mint();
    const res = await h.connect.checkSession({ session: minted.session, extend: true });
    expect(res).toMatchObject({ active: true, extended: true });
  });

  test("without signers: has_signer is false", async () => {
    const minted = await h.mint();
    const res = await h.grpc.checkSession({ session: minted.sessionWithoutSigners });
    expect(res.active).toBe(true);
    expect(res.wallets.every((w) => !w.hasSigner)).toBe(true);
  });

  test("revoked and expired sessions answer OK with active=false (and cannot be extended)", async () => {
    const revoked = await h.mint();
    await localPara.revokeSession(revoked.sessionCookie);
    expect(await h.grpc.checkSession({ session: revoked.session, extend: true })).toMatchObject({ active: false, extended: false });
    const expired = await h.mint();
    await localPara.expireSession(expired.sessionCookie);
    expect(await h.grpc.checkSession({ session: expired.session })).toMatchObject({ active: false, extended: false });
  });

  test("an inactive session makes SignMessage and IssueJwt UNAUTHENTICATED", async () => {
    const minted = await h.mint();
    await localPara.revokeSession(minted.sessionCookie);
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32) }))).code).toBe(Code.Unauthenticated);
    expect((await failure(h.grpc.issueJwt({ session: minted.session }))).code).toBe(Code.Unauthenticated);
  });

  const valid = () => h.mint().then((m) => JSON.parse(Buffer.from(m.session, "base64").toString()) as Record<string, unknown>);

  test.each([
    { note: "empty", make: async () => "" },
    { note: "not base64", make: async () => "%%%not-base64%%%" },
    { note: "base64 of non-JSON", make: async () => b64("hello") },
    { note: "raw JSON, not base64", make: async () => JSON.stringify(await valid()) },
    { note: "JSON null", make: async () => b64("null") },
    { note: "empty object", make: async () => b64({}) },
    { note: "wallets is an array", make: async () => b64({ ...(await valid()), wallets: [] }) },
    {
      note: "wallet of unknown type",
      make: async () => {
        const s = await valid();
        const wallets = s["wallets"] as Record<string, Record<string, unknown>>;
        for (const w of Object.values(wallets)) w["type"] = "BITCOIN";
        return b64(s);
      },
    },
    { note: "no session cookie", make: async () => b64({ ...(await valid()), sessionCookie: undefined }) },
    { note: "__proto__ key", make: async () => b64(`{"__proto__":{"polluted":true},"userId":"u"}`) },
    { note: "invalid UTF-8", make: async () => Buffer.from([0xff, 0xfe, 0xfd, 0x7b]).toString("base64") },
    { note: "too large", make: async () => "A".repeat(64 * 1024 + 4) },
  ])("malformed session ($note): INVALID_ARGUMENT on field session, value not echoed", async ({ make }) => {
    const session = await make();
    const error = await failure(h.grpc.checkSession({ session }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("session");
    if (session.length > 8) expect(error.rawMessage).not.toContain(session.slice(0, 16));
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("the SDK sees no malformed session: an instance is never built for one", async () => {
    const before = h.service.stats().pool.handouts;
    await failure(h.grpc.checkSession({ session: b64({}) }));
    expect(h.service.stats().pool.handouts).toBe(before);
  });
});
