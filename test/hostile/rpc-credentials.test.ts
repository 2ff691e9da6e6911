// Through the real server: the credential RPCs (VerifySession with verification tokens or JWTs, VerifyWallet with
// addresses) given arbitrary strings and forged JWTs (random JSON segments, alg none, HMAC, huge) answer
// UNAUTHENTICATED, INVALID_ARGUMENT or NOT_FOUND, never INTERNAL; nothing sent is echoed or logged.
import fc from "fast-check";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { canary, expectLogsFree, expectOneOf, expectStillServing, outcomeOf } from "./server-checks.js";

const MAX_CREDENTIAL_CHARS = 16 * 1024;
const segment = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/**
 * Empty or over the limit: INVALID_ARGUMENT; anything else is a credential that fails to verify. The server reads
 * strings with the protobuf runtime's TextDecoder, which drops one leading U+FEFF, so "\ufeff" arrives empty.
 */
const expected = (credential: string) =>
  credential.replace(/^\ufeff/, "").length === 0 || credential.length > MAX_CREDENTIAL_CHARS ? Code.InvalidArgument : Code.Unauthenticated;

/** Strings of every kind, up to past the credential limit, with a canary among them. */
const arbitraryText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.string({ unit: "binary", maxLength: 100 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\n", "\r", "\t", "\u001b", "\u2028", "\ufeff", "."), maxLength: 30 }),
  fc.integer({ min: 1, max: MAX_CREDENTIAL_CHARS + 2_000 }).map((n) => canary("TOK").padEnd(n, "t")),
);

/** header.payload.signature, each part base64url of random or hostile JSON. */
const jwtish = fc
  .record({
    header: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom<unknown>({ alg: "none" }, { alg: "none", typ: "JWT" }, { alg: "HS256" }, { alg: "RS256", kid: "../../etc/passwd" }),
      fc.constantFrom<unknown>({ alg: "ES256", jku: "http://127.0.0.1:1/jwks" }, { alg: "RS256", crit: ["b64"], b64: false }, { alg: "EdDSA", kid: "" }),
    ),
    payload: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ sub: fc.constant(canary("SUB")), exp: fc.integer({ min: 0, max: 2 ** 40 }), aud: fc.string(), data: fc.jsonValue({ maxDepth: 2 }) }),
    ),
    signature: fc.oneof(
      fc.constant(""),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("base64url")),
    ),
    pad: fc.nat(MAX_CREDENTIAL_CHARS + 1_000),
  })
  .map(({ header, payload, signature, pad }) => {
    const token = `${segment(header)}.${segment(payload)}.${signature}`;
    // Some are inflated past the server's credential limit by a long signature segment.
    return pad > MAX_CREDENTIAL_CHARS ? token + "A".repeat(pad) : token;
  });

describe("hostile credentials through the real server", () => {
  let h: SignerHarness;
  const sent: string[] = [];
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("VerifySession: arbitrary verification tokens are UNAUTHENTICATED or INVALID_ARGUMENT", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryText, async (token) => {
        sent.push(token);
        const outcome = await outcomeOf(h.grpc.verifySession({ credential: { case: "verificationToken", value: token } }), [token]);
        expectOneOf(outcome, [expected(token)], "token");
      }),
      { numRuns: 50 },
    );
  });

  test("VerifySession: arbitrary strings and forged JWTs as `jwt` are UNAUTHENTICATED or INVALID_ARGUMENT", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(arbitraryText, jwtish, jwtish), async (jwt) => {
        sent.push(jwt);
        const outcome = await outcomeOf(h.grpc.verifySession({ credential: { case: "jwt", value: jwt } }), [jwt]);
        expectOneOf(outcome, [expected(jwt)], "jwt");
      }),
      { numRuns: 60 },
    );
  });

  test("VerifySession: a real JWT re-signed with alg none, or with its payload swapped, is refused", async () => {
    const user = await h.mint();
    const { token } = await h.grpc.issueJwt({ session: user.session });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const other = segment({ ...claims, sub: canary("SUB"), data: { userId: canary("UID") } });
    const forged = [
      `${segment({ alg: "none", typ: "JWT" })}.${payload}.`,
      `${segment({ alg: "none" })}.${other}.${signature}`,
      `${header}.${other}.${signature}`,
      `${segment({ alg: "HS256", typ: "JWT" })}.${payload}.${signature}`,
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.${signature}`,
    ];
    for (const jwt of forged) {
      sent.push(jwt);
      expectOneOf(await outcomeOf(h.grpc.verifySession({ credential: { case: "jwt", value: jwt } }), [jwt, token]), [Code.Unauthenticated], "forged");
    }
    // The genuine token still verifies: the refusals above are about the forgeries.
    expect((await h.grpc.verifySession({ credential: { case: "jwt", value: token } })).userId).toBe(user.userId);
    expectOneOf(await outcomeOf(h.grpc.verifySession({}), []), [Code.InvalidArgument], "no credential");
  });

  test("VerifyWallet: arbitrary address strings are INVALID_ARGUMENT or NOT_FOUND", async () => {
    const address = fc.oneof(
      arbitraryText,
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxX"), minLength: 1, maxLength: 300 }),
      fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
    );
    await fc.assert(
      fc.asyncProperty(address, async (addr) => {
        sent.push(addr);
        expectOneOf(await outcomeOf(h.grpc.verifyWallet({ address: addr }), [addr]), [Code.InvalidArgument, Code.NotFound], "address");
      }),
      { numRuns: 60 },
    );
  });

  test("afterwards: still serving, and no log line carries a token, JWT or address", async () => {
    await expectStillServing(h);
    expectLogsFree(h, sent);
  });
});
