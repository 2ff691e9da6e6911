// Through the real server: every RPC that takes a session answers a malformed one with INVALID_ARGUMENT on
// `session`, and a well-formed one that Para does not know (hostile ids, cookies, unicode, control characters)
// with a clean verdict (inactive, UNAUTHENTICATED), never INTERNAL; the service keeps serving and logs none of it.
import fc from "fast-check";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { expectNoEcho } from "./decode-oracle.js";
import { canary, expectLogsFree, expectOneOf, expectStillServing, outcomeOf } from "./server-checks.js";
import { b64, encodeDoc, type Json, validSessionDoc, withValueAt } from "./session-shape.js";

const RUNS = 40;

/** Inputs that can never be a session (the decoder must refuse every one). */
const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString("base64")),
  fc.jsonValue({ maxDepth: 4 }).map((v) => b64(JSON.stringify(v) ?? "null")),
  fc.constantFrom("userId", "sessionCookie", "wallets").map((field) => encodeDoc(withValueAt(validSessionDoc(), [field], [canary("field")]))),
  fc.constant(null).map(() => b64(`{"userId":"${canary("proto")}","__proto__":{"polluted":true}}`)),
  fc.constant(null).map(() => Buffer.concat([Buffer.from(JSON.stringify({ userId: canary("utf8") })), Buffer.from([0xff])]).toString("base64")),
);

/** Sessions the decoder accepts, with hostile values where Para's ids and cookie go. */
const hostileText = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
  fc.constantFrom("../../admin", "a\r\nx-injected: 1", "%00", "?x=1#y", "\u0000", "a".repeat(1024), "..", "\u202e"),
);
/** Wallet ids are JSON keys: the decoder refuses prototype names there (session-decoder-structure.test.ts). */
const walletKey = hostileText.filter((id) => !["__proto__", "constructor", "prototype"].includes(id));
const wellFormedUnknown = fc.record({ userId: hostileText, cookie: hostileText, walletId: walletKey }).map(({ userId, cookie, walletId }) => {
  const doc = validSessionDoc();
  const evm = (doc["wallets"] as Record<string, Record<string, Json>>)["w-evm-1"]!;
  doc["userId"] = userId;
  doc["sessionCookie"] = cookie;
  doc["wallets"] = { [walletId]: { ...evm, id: walletId, userId } };
  doc["currentWalletIds"] = {};
  return encodeDoc(doc);
});

describe("hostile sessions through the real server", () => {
  let h: SignerHarness;
  const sent: string[] = [];
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("malformed sessions: CheckSession, SignMessage and IssueJwt all answer INVALID_ARGUMENT on `session`", async () => {
    await fc.assert(
      fc.asyncProperty(malformed, async (session) => {
        sent.push(session);
        // All three at once, each settled into its error right away (no rejection is left unhandled meanwhile).
        const errors = await Promise.all(
          [h.grpc.checkSession({ session, extend: true }), h.grpc.signMessage({ session, message: new Uint8Array(32) }), h.connect.issueJwt({ session })].map(
            (call) =>
              call.then(
                () => undefined,
                (e: unknown) => ConnectError.from(e),
              ),
          ),
        );
        for (const error of errors) {
          expect(error?.code).toBe(Code.InvalidArgument);
          expect(error?.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("session");
          expectNoEcho([error?.rawMessage ?? ""], [session]);
        }
      }),
      { numRuns: RUNS },
    );
    await expectStillServing(h);
    expectLogsFree(h, sent);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("well-formed sessions Para does not know, with hostile ids and cookies: a clean verdict, never INTERNAL", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormedUnknown, async (session) => {
        sent.push(session);
        const doc = JSON.parse(Buffer.from(session, "base64").toString()) as { userId: string; sessionCookie: string };
        const secrets = [session, doc.userId, doc.sessionCookie];
        const check = await outcomeOf(h.grpc.checkSession({ session }), secrets);
        expectOneOf(check, ["ok", Code.Unauthenticated], "CheckSession");
        if (check === "ok") expect((await h.grpc.checkSession({ session })).active).toBe(false);
        const sign = await outcomeOf(h.grpc.signMessage({ session, message: new Uint8Array([1, 2, 3]), format: MessageFormat.EIP191 }), secrets);
        expectOneOf(sign, [Code.Unauthenticated], "SignMessage");
        expectOneOf(await outcomeOf(h.grpc.issueJwt({ session }), secrets), [Code.Unauthenticated], "IssueJwt");
      }),
      { numRuns: 30 },
    );
    await expectStillServing(h);
    expectLogsFree(h, sent);
  });
});
