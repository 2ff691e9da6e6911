import { Code } from "@connectrpc/connect";
import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { localPara } from "../support/local-para-admin.js";
import { failure } from "../support/failure.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

describe("IssueJwt, VerifySession, VerifyWallet against the local Para backend", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("IssueJwt returns a verified token with its claims; VerifySession(jwt) accepts it", async () => {
    const minted = await h.mint({ email: "dave@example.com" });
    const issued = await h.grpc.issueJwt({ session: minted.session });
    expect(issued.token.split(".")).toHaveLength(3);
    expect(issued.keyId).toBe(decodeProtectedHeader(issued.token).kid);
    expect(issued.claims?.userId).toBe(minted.userId);
    expect(issued.claims?.audience).toBe(h.key.apiKeyId);
    expect(issued.claims?.auth).toMatchObject({ authType: "email", identifier: "dave@example.com" });
    expect(issued.claims?.wallets.map((w) => w.address).sort()).toEqual(minted.wallets.map((w) => w.address).sort());
    expect(Number(issued.expiresAt?.seconds)).toBeGreaterThan(Date.now() / 1000);

    const verified = await h.connect.verifySession({ credential: { case: "jwt", value: issued.token } });
    expect(verified.userId).toBe(minted.userId);
    expect(verified.auth?.identifier).toBe("dave@example.com");
    expect(verified.wallets.find((w) => w.type === WalletType.EVM)?.address).toBe(minted.wallets.find((w) => w.type === "EVM")?.address);
    expect(verified.expiresAt?.seconds).toBe(issued.expiresAt?.seconds);
  });

  test("VerifySession(jwt) needs no Para round trip once the key set is cached", async () => {
    const issued = await h.grpc.issueJwt({ session: (await h.mint()).session });
    await h.grpc.verifySession({ credential: { case: "jwt", value: issued.token } });
    const before = h.service.stats().jwks.fetches;
    // Not Para's touch count: the pool's background refills touch Para for this key at any time.
    const sdkCalls = h.service.stats().pool.handouts;
    const restCalls = (await localPara.stats()).byApiKey[h.key.apiKey]?.sessionsVerify ?? 0;
    for (let i = 0; i < 5; i++) await h.grpc.verifySession({ credential: { case: "jwt", value: issued.token } });
    expect(h.service.stats().jwks.fetches).toBe(before);
    expect(h.service.stats().pool.handouts).toBe(sdkCalls);
    expect((await localPara.stats()).byApiKey[h.key.apiKey]?.sessionsVerify ?? 0).toBe(restCalls);
  });

  test.each([
    { note: "garbage", make: async () => "not.a.jwt" },
    { note: "alg none", make: async (token: string) => `${b64u({ alg: "none", typ: "JWT" })}.${token.split(".")[1]}.` },
    {
      note: "payload tampered",
      make: async (token: string) => {
        const [head, , sig] = token.split(".");
        const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
        return `${head}.${b64u({ ...payload, sub: "someone-else" })}.${sig}`;
      },
    },
    {
      note: "signed by a stranger's key with the same kid",
      make: async (token: string) => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>)
          .setProtectedHeader({ alg: "RS256", kid: decodeProtectedHeader(token).kid! })
          .sign(privateKey);
      },
    },
    {
      note: "HS256 keyed with Para's public key",
      make: async (token: string) => {
        const { publicKey } = await generateKeyPair("RS256", { extractable: true });
        const secret = await importJWK({ kty: "oct", k: Buffer.from(JSON.stringify(await exportJWK(publicKey))).toString("base64url") }, "HS256");
        return new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "HS256", kid: decodeProtectedHeader(token).kid! }).sign(secret);
      },
    },
    {
      note: "unknown kid",
      make: async () => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "RS256", kid: "no-such-kid" }).setAudience("a").setExpirationTime("1h").sign(privateKey);
      },
    },
  ])("VerifySession(jwt) refuses $note with UNAUTHENTICATED", async ({ make }) => {
    const issued = await h.grpc.issueJwt({ session: (await h.mint()).session });
    const bad = await make(issued.token);
    const error = await failure(h.grpc.verifySession({ credential: { case: "jwt", value: bad } }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).not.toContain(bad.slice(0, 20));
  });

  test("a JWT for another API key (audience) is UNAUTHENTICATED", async () => {
    const other = await localPara.createApiKey();
    const minted = await localPara.mintSession({ apiKey: other.apiKey });
    const foreign = await startSignerHarness();
    try {
      // Issued through a service configured for `foreign.key`; this service expects h.key's audience.
      const issued = await foreign.grpc.issueJwt({ session: (await foreign.mint()).session });
      const error = await failure(h.grpc.verifySession({ credential: { case: "jwt", value: issued.token } }));
      expect(error.code).toBe(Code.Unauthenticated);
    } finally {
      await foreign.stop();
    }
    expect(minted.userId).toBeTruthy();
  });

  test("an expired JWT is UNAUTHENTICATED", async () => {
    const short = await startSignerHarness({ sessionLengthMs: 1_500 });
    try {
      const issued = await short.grpc.issueJwt({ session: (await short.mint()).session });
      await new Promise((resolve) => setTimeout(resolve, 2_600));
      const error = await failure(short.grpc.verifySession({ credential: { case: "jwt", value: issued.token } }));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toContain("expired");
    } finally {
      await short.stop();
    }
  });

  test("VerifySession(verification_token): Para's answer for a good token, UNAUTHENTICATED for a bad or revoked one", async () => {
    const minted = await h.mint({ email: "erin@example.com" });
    const ok = await h.grpc.verifySession({ credential: { case: "verificationToken", value: minted.verificationToken } });
    expect(ok.auth).toMatchObject({ authType: "email", identifier: "erin@example.com" });
    expect(ok.userId).toBe(minted.userId);
    expect((await failure(h.grpc.verifySession({ credential: { case: "verificationToken", value: "bogus-token" } }))).code).toBe(Code.Unauthenticated);
    await localPara.revokeSession(minted.sessionCookie);
    expect((await failure(h.grpc.verifySession({ credential: { case: "verificationToken", value: minted.verificationToken } }))).code).toBe(
      Code.Unauthenticated,
    );
  });

  test("VerifySession with no credential is INVALID_ARGUMENT", async () => {
    expect((await failure(h.grpc.verifySession({}))).code).toBe(Code.InvalidArgument);
  });

  test("VerifyWallet: a known address resolves; unknown is NOT_FOUND; malformed is INVALID_ARGUMENT", async () => {
    const minted = await h.mint();
    for (const w of minted.wallets) {
      expect((await h.grpc.verifyWallet({ address: w.address })).walletId).toBe(w.id);
    }
    expect((await failure(h.grpc.verifyWallet({ address: `0x${"ab".repeat(20)}` }))).code).toBe(Code.NotFound);
    expect((await failure(h.grpc.verifyWallet({ address: "" }))).code).toBe(Code.InvalidArgument);
    expect((await failure(h.grpc.verifyWallet({ address: "not an address!" }))).code).toBe(Code.InvalidArgument);
  });

  test("without the secret key or JWT audience configured: FAILED_PRECONDITION", async () => {
    const bare = await startSignerHarness({ env: { PARA_SECRET_API_KEY: "", PARA_JWT_AUDIENCE: "" } });
    try {
      const minted = await bare.mint();
      const e1 = await failure(bare.grpc.verifyWallet({ address: minted.wallets[0]!.address }));
      expect(e1.code).toBe(Code.FailedPrecondition);
      expect(e1.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SECRET_KEY_NOT_CONFIGURED");
      const e2 = await failure(bare.grpc.verifySession({ credential: { case: "verificationToken", value: minted.verificationToken } }));
      expect(e2.code).toBe(Code.FailedPrecondition);
      const e3 = await failure(bare.grpc.verifySession({ credential: { case: "jwt", value: "a.b.c" } }));
      expect(e3.code).toBe(Code.FailedPrecondition);
    } finally {
      await bare.stop();
    }
  });
});

function b64u(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
