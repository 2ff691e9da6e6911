import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { hashMessage, hexToBytes } from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import { MessageFormat, SignerService, WalletType } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { policyDenied, sessionInactive } from "../../../src/errors/error-model.js";
import { HealthRegistry } from "../../../src/health/health-registry.js";
import type { ParaJwtClaims, ParaJwtVerifier } from "../../../src/para/jwt-verifier.js";
import type { ActingPlan, ActingSession, ParaGateway, SessionState, SignItem, Signed } from "../../../src/para/para-gateway.js";
import type { ParaRestClient, VerifiedToken } from "../../../src/para/para-rest.js";
import type { ParaWallet } from "../../../src/para/para-sdk.js";
import type { ValidSession } from "../../../src/para/session-codec.js";
import type { IdempotencyStore } from "../../../src/idempotency/idempotency-store.js";
import { Signer } from "../../../src/signer/signer-service.js";
import { createRoutes } from "../../../src/transport/routes.js";
import { EVM_WALLET, LIMITS, SOLANA_WALLET, sessionWith } from "../validation/support.js";

/**
 * The Signer's handlers through the real routes over Connect's in-memory transport, with fakes of the Para boundary
 * (gateway, REST client, JWT verifier): what each handler makes of the boundary's answers, and that a request the
 * validators refuse never reaches the boundary. The fakes record what they were asked and answer what each test
 * sets; nothing talks to Para.
 */

const SESSION = sessionWith(SOLANA_WALLET, EVM_WALLET, { id: "w-bare", type: "EVM", signer: false });
/** Para's address for the session's EVM wallet: deliberately not the one the session's blob claims. */
const PARA_EVM_ADDRESS = "0x2222222222222222222222222222222222222222";
const PARA_EVM: ParaWallet = { id: EVM_WALLET.id, type: "EVM", scheme: "DKLS", address: PARA_EVM_ADDRESS, publicKey: `04${"ab".repeat(64)}` };
const PARA_SOL: ParaWallet = { id: SOLANA_WALLET.id, type: "SOLANA", scheme: "ED25519", address: SOLANA_WALLET.address!, publicKey: "cd".repeat(32) };
const PARA_BARE: ParaWallet = { id: "w-bare", type: "EVM", scheme: "DKLS", address: "0x3333333333333333333333333333333333333333", publicKey: "" };
const R_S = `${"11".repeat(32)}${"22".repeat(32)}`;

/** A gateway fake with the three methods the handlers under test call. */
class FakeGateway {
  readonly acted: Array<{ session: ValidSession; plan: ActingPlan; wallets: readonly string[] }> = [];
  readonly signed: SignItem[] = [];
  readonly checks: Array<{ session: ValidSession; extend: boolean; exportAs: { excludeSigners: boolean } | undefined }> = [];
  keptAlive = 0;
  /** What the signing job answers: the worker's raw signature, or a throw. */
  signs: () => Signed = () => ({ signature: `0x${R_S}00`, wallet: PARA_EVM });
  sessionState: SessionState = { active: true, extended: false, identity: { userId: "user-1", wallets: [PARA_EVM, PARA_SOL, PARA_BARE], auth: undefined } };
  jwt = { token: "header.payload.signature", keyId: "kid-from-para" };

  get calls(): number {
    return this.acted.length + this.checks.length + this.jwtIssued;
  }
  jwtIssued = 0;

  async act<T>(
    session: ValidSession,
    plan: ActingPlan,
    _signal: AbortSignal,
    wallets: readonly string[],
    use: (acting: ActingSession) => Promise<T>,
  ): Promise<T> {
    this.acted.push({ session, plan, wallets });
    const acting: ActingSession = {
      userId: session.userId,
      keepAlive: async () => void this.keptAlive++,
      sign: async (item) => {
        this.signed.push(item);
        return this.signs();
      },
      exportSession: async (excludeSigners) => `exported-session-${excludeSigners}`,
      reviewState: async () => "pending",
    };
    return use(acting);
  }

  async checkSession(session: ValidSession, extend: boolean, _signal: AbortSignal, exportAs?: { excludeSigners: boolean }): Promise<SessionState> {
    this.checks.push({ session, extend, exportAs });
    return { ...this.sessionState, ...(exportAs ? { session: `exported-session-${exportAs.excludeSigners}` } : {}) };
  }

  async issueJwt(): Promise<{ token: string; keyId: string }> {
    this.jwtIssued++;
    return this.jwt;
  }
}

class FakeRest {
  readonly asked: string[] = [];
  verified: VerifiedToken = { authType: "email", identifier: "alice@example.com", oAuthMethod: "", userId: "user-1" };
  async verifySession(token: string): Promise<VerifiedToken> {
    this.asked.push(`session:${token}`);
    return this.verified;
  }
  async verifyWallet(address: string): Promise<string> {
    this.asked.push(`wallet:${address}`);
    return "w-found";
  }
}

class FakeJwt {
  readonly verified: string[] = [];
  claims: ParaJwtClaims = {
    userId: "user-1",
    authType: "email",
    identifier: "alice@example.com",
    oAuthMethod: "",
    wallets: [{ id: "w-evm", type: "EVM", address: PARA_EVM_ADDRESS, publicKey: "" }],
    audience: "api-key-id",
    expiresAt: new Date("2030-01-01T00:00:00Z"),
    keyId: "kid-verified",
  };
  async verify(token: string): Promise<ParaJwtClaims> {
    this.verified.push(token);
    return this.claims;
  }
}

/** The idempotency store is not reached without an idempotency key: any use is a failure of the test's premise. */
const NO_IDEMPOTENCY = {
  run: () => {
    throw new Error("idempotency store used without a key");
  },
} as unknown as IdempotencyStore;

let gateway: FakeGateway;
let rest: FakeRest;
let jwt: FakeJwt;
let client: ReturnType<typeof createClient<typeof SignerService>>;

beforeEach(() => {
  gateway = new FakeGateway();
  rest = new FakeRest();
  jwt = new FakeJwt();
  const signer = new Signer({
    gateway: gateway as unknown as ParaGateway,
    rest: rest as unknown as ParaRestClient,
    jwt: jwt as unknown as ParaJwtVerifier,
    idempotency: NO_IDEMPOTENCY,
    limits: { ...LIMITS, maxTimeoutMs: 60_000, batchConcurrency: 4 },
  });
  const transport = createRouterTransport(createRoutes({ signer, health: new HealthRegistry([]) }));
  client = createClient(SignerService, transport);
});

async function refusal(call: Promise<unknown>) {
  const error = ConnectError.from(
    await call.then(
      () => new Error("expected the call to fail"),
      (e: unknown) => e,
    ),
  );
  return {
    code: error.code,
    reason: error.findDetails(ErrorInfoSchema)[0]?.reason,
    fields: error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field)),
  };
}

describe("SignMessage", () => {
  const message = new TextEncoder().encode("hello para");

  test("signs the EIP-191 digest with the session's EVM wallet; the answer carries Para's wallet, never the session's address", async () => {
    const res = await client.signMessage({ session: SESSION, message, format: MessageFormat.EIP191, walletType: WalletType.EVM });
    expect(gateway.acted).toHaveLength(1);
    expect(gateway.acted[0]!.wallets).toEqual([EVM_WALLET.id]);
    expect(gateway.acted[0]!.plan).toEqual({ signs: 1, keepAlive: true });
    expect(gateway.keptAlive).toBe(1);
    const item = gateway.signed[0]!;
    expect(item.walletId).toBe(EVM_WALLET.id);
    expect(item.payload).toEqual({ kind: "message", messageBase64: Buffer.from(hexToBytes(hashMessage({ raw: message }))).toString("base64") });
    expect(res.walletId).toBe(EVM_WALLET.id);
    expect(res.walletType).toBe(WalletType.EVM);
    expect(res.address).toBe(PARA_EVM_ADDRESS);
    expect(res.address).not.toBe(EVM_WALLET.address);
    expect(res.session).toBe("");
  });

  test.each([
    ["00", 27],
    ["01", 28],
    ["1b", 27],
    ["1c", 28],
  ])("an EVM signature with v=0x%s is answered as 65 bytes with v=%i", async (v, expected) => {
    gateway.signs = () => ({ signature: `${R_S}${v}`, wallet: PARA_EVM });
    const res = await client.signMessage({ session: SESSION, message, format: MessageFormat.EIP191 });
    expect(res.signature).toHaveLength(65);
    expect(Buffer.from(res.signature.slice(0, 64)).toString("hex")).toBe(R_S);
    expect(res.signature[64]).toBe(expected);
    expect(res.encodedSignature).toBe(`0x${R_S}${expected.toString(16)}`);
  });

  test("skip_keep_alive and return_session reach the boundary", async () => {
    const res = await client.signMessage({
      session: SESSION,
      message,
      format: MessageFormat.EIP191,
      skipKeepAlive: true,
      returnSession: true,
      excludeSigners: true,
    });
    expect(gateway.acted[0]!.plan.keepAlive).toBe(false);
    expect(gateway.keptAlive).toBe(0);
    expect(res.session).toBe("exported-session-true");
  });

  test("the boundary's error reaches the caller as it is (code and reason)", async () => {
    gateway.signs = () => {
      throw policyDenied("rule-7");
    };
    expect(await refusal(client.signMessage({ session: SESSION, message, format: MessageFormat.EIP191 }))).toEqual({
      code: Code.PermissionDenied,
      reason: "POLICY_DENIED",
      fields: [],
    });
  });

  test.each([
    ["a session that is not one", { session: "not-base64-json", message }, Code.InvalidArgument],
    ["an empty message", { session: SESSION, message: new Uint8Array(), format: MessageFormat.EIP191 }, Code.InvalidArgument],
    ["a RAW EVM message that is not a digest", { session: SESSION, message, format: MessageFormat.RAW, walletType: WalletType.EVM }, Code.InvalidArgument],
    ["a wallet id the session lacks", { session: SESSION, message, walletId: "w-nope" }, Code.NotFound],
    ["a wallet without its signer share", { session: SESSION, message, format: MessageFormat.EIP191, walletId: "w-bare" }, Code.FailedPrecondition],
  ])("%s is refused before the boundary", async (_, request, code) => {
    expect((await refusal(client.signMessage(request))).code).toBe(code);
    expect(gateway.calls).toBe(0);
    expect(gateway.signed).toHaveLength(0);
  });
});

describe("CheckSession", () => {
  test("an active session: the user and wallets as Para confirms them; has_signer from the session", async () => {
    gateway.sessionState = {
      active: true,
      extended: true,
      identity: {
        userId: "user-1",
        wallets: [PARA_EVM, PARA_BARE],
        auth: { authType: "email", identifier: "alice@example.com", oAuthMethod: "", userId: "user-1" },
      },
    };
    const res = await client.checkSession({ session: SESSION, extend: true });
    expect(gateway.checks).toEqual([expect.objectContaining({ extend: true, exportAs: undefined })]);
    expect(res.active).toBe(true);
    expect(res.extended).toBe(true);
    expect(res.userId).toBe("user-1");
    expect(res.auth).toMatchObject({ authType: "email", identifier: "alice@example.com" });
    expect(res.wallets.map((w) => [w.id, w.address, w.hasSigner])).toEqual([
      [EVM_WALLET.id, PARA_EVM_ADDRESS, true],
      ["w-bare", PARA_BARE.address, false],
    ]);
    expect(res.session).toBe("");
  });

  test("an inactive session: no identity in the answer", async () => {
    gateway.sessionState = { active: false, extended: false, identity: undefined };
    const res = await client.checkSession({ session: SESSION });
    expect(res).toMatchObject({ active: false, extended: false, userId: "", wallets: [] });
    expect(res.auth).toBeUndefined();
  });

  test("return_session: the boundary's re-export is answered", async () => {
    const res = await client.checkSession({ session: SESSION, returnSession: true, excludeSigners: false });
    expect(gateway.checks[0]!.exportAs).toEqual({ excludeSigners: false });
    expect(res.session).toBe("exported-session-false");
  });

  test("a malformed session never reaches the boundary", async () => {
    expect((await refusal(client.checkSession({ session: "" }))).code).toBe(Code.InvalidArgument);
    expect(gateway.calls).toBe(0);
  });

  test("the boundary's UNAUTHENTICATED is answered as it is", async () => {
    gateway.checkSession = async () => {
      throw sessionInactive();
    };
    expect(await refusal(client.checkSession({ session: SESSION }))).toEqual({ code: Code.Unauthenticated, reason: "SESSION_INACTIVE", fields: [] });
  });
});

describe("IssueJwt", () => {
  test("verifies Para's token before answering it, and reports its claims", async () => {
    const res = await client.issueJwt({ session: SESSION });
    expect(jwt.verified).toEqual([gateway.jwt.token]);
    expect(res.token).toBe(gateway.jwt.token);
    expect(res.keyId).toBe("kid-verified");
    expect(timestampDate(res.expiresAt!)).toEqual(jwt.claims.expiresAt);
    expect(res.claims).toMatchObject({ userId: "user-1", audience: "api-key-id" });
    expect(res.claims!.wallets.map((w) => [w.id, w.type, w.address])).toEqual([["w-evm", WalletType.EVM, PARA_EVM_ADDRESS]]);
  });

  test("a token Para issued for another user than the blob names: UNAUTHENTICATED SESSION_MISMATCH, token withheld", async () => {
    jwt.claims = { ...jwt.claims, userId: "someone-else" };
    expect(await refusal(client.issueJwt({ session: SESSION }))).toEqual({ code: Code.Unauthenticated, reason: "SESSION_MISMATCH", fields: [] });
  });

  test("a malformed session never reaches the boundary", async () => {
    expect((await refusal(client.issueJwt({ session: "{}" }))).code).toBe(Code.InvalidArgument);
    expect(gateway.jwtIssued).toBe(0);
  });
});

describe("VerifySession and VerifyWallet", () => {
  test("a verification token goes to Para's REST verify; a JWT is verified locally", async () => {
    const byToken = await client.verifySession({ credential: { case: "verificationToken", value: "vt-123" } });
    expect(rest.asked).toEqual(["session:vt-123"]);
    expect(byToken).toMatchObject({ userId: "user-1", auth: { authType: "email", identifier: "alice@example.com" } });
    const byJwt = await client.verifySession({ credential: { case: "jwt", value: "a.b.c" } });
    expect(jwt.verified).toEqual(["a.b.c"]);
    expect(byJwt.userId).toBe("user-1");
    expect(byJwt.wallets.map((w) => w.id)).toEqual(["w-evm"]);
    expect(timestampDate(byJwt.expiresAt!)).toEqual(jwt.claims.expiresAt);
  });

  test("no credential, or an address that is not one, never reaches Para", async () => {
    expect(await refusal(client.verifySession({}))).toEqual({ code: Code.InvalidArgument, reason: undefined, fields: ["credential"] });
    expect(await refusal(client.verifyWallet({ address: "0x12/../../users" }))).toEqual({ code: Code.InvalidArgument, reason: undefined, fields: ["address"] });
    expect(rest.asked).toEqual([]);
    expect(jwt.verified).toEqual([]);
  });

  test("VerifyWallet answers Para's wallet id", async () => {
    const res = await client.verifyWallet({ address: PARA_EVM_ADDRESS });
    expect(rest.asked).toEqual([`wallet:${PARA_EVM_ADDRESS}`]);
    expect(res.walletId).toBe("w-found");
  });
});
