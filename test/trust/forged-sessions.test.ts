import { Code, ConnectError } from "@connectrpc/connect";
import { recoverMessageAddress } from "viem";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * The attacker: Alice, who holds her own real session and rewrites it (the blob is written by a client app, so
 * its holder can). The honest users: everyone else, whose answers must stay right and whose calls must not fail.
 * Para (the local backend) knows who Alice's cookie belongs to; the service must believe only Para.
 */

type Doc = { userId: string; authInfo?: Record<string, unknown>; wallets: Record<string, Record<string, unknown>>; currentWalletIds?: unknown };
const decode = (s: string) => JSON.parse(Buffer.from(s, "base64").toString()) as Doc;
const encode = (d: Doc) => Buffer.from(JSON.stringify(d)).toString("base64");
const evmOf = (d: Doc) => Object.values(d.wallets).find((w) => w["type"] === "EVM")!;
const message = new TextEncoder().encode("pay 10 to mallory");

/** Alice's session, rewritten by `edit` (currentWalletIds is rebuilt from the wallets, as the SDK would). */
function forge(alice: MintedSession, edit: (doc: Doc) => void): string {
  const doc = decode(alice.session);
  edit(doc);
  doc.currentWalletIds = {};
  return encode(doc);
}

/** Everything of Bob's that must never come back to Alice. */
function bobsValues(bob: MintedSession): string[] {
  return [bob.userId, bob.email!, ...bob.wallets.flatMap((w) => [w.id, w.address, w.address.toLowerCase(), w.publicKey])];
}

function expectNothingOf(values: string[], answer: unknown): void {
  const text =
    answer instanceof ConnectError
      ? JSON.stringify({ m: answer.rawMessage, d: answer.details, meta: [...answer.metadata] })
      : JSON.stringify(answer, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));
  for (const value of values) expect(text).not.toContain(value);
}

function expectMismatch(error: ConnectError, what: string): void {
  expect(error.code).toBe(Code.Unauthenticated);
  const info = error.findDetails(ErrorInfoSchema)[0];
  expect(info?.reason).toBe("SESSION_MISMATCH");
  expect(info?.metadata["mismatch"]).toBe(what);
}

describe("a rewritten session vouches for nobody (real server, local Para backend)", () => {
  let h: SignerHarness;
  let alice: MintedSession;
  let bob: MintedSession;
  beforeAll(async () => {
    h = await startSignerHarness();
    alice = await h.mint({ email: "alice@example.com" });
    bob = await h.mint({ email: "bob@example.com" });
  });
  afterAll(() => h.stop());

  const presigns = async () => (await localPara.stats()).byApiKey[h.key.apiKey]?.messagesSign ?? 0;

  test("honest: CheckSession answers with Para's user, auth and wallet list", async () => {
    const res = await h.grpc.checkSession({ session: alice.session });
    expect(res.userId).toBe(alice.userId);
    expect(res.auth).toMatchObject({ authType: "email", identifier: "alice@example.com" });
    expect(res.wallets.map((w) => [w.id, w.address, w.publicKey])).toEqual(alice.wallets.map((w) => [w.id, w.address, w.publicKey]));
  });

  const forgeries: Array<{ note: string; what: string; edit: (doc: Doc) => void }> = [
    {
      note: "Bob's userId, authInfo and wallet entries pasted in",
      what: "user",
      edit: (doc) => {
        const b = decode(bob.session);
        doc.userId = b.userId;
        doc.authInfo = b.authInfo!;
        doc.wallets = b.wallets;
      },
    },
    {
      note: "identity only: Bob's userId",
      what: "user",
      edit: (doc) => {
        doc.userId = bob.userId;
        for (const w of Object.values(doc.wallets)) w["userId"] = bob.userId;
      },
    },
    {
      note: "auth only: Bob's authInfo",
      what: "auth",
      edit: (doc) => {
        doc.authInfo = decode(bob.session).authInfo!;
      },
    },
    {
      note: "wallets only: Bob's wallet entries carrying Alice's own signer shares",
      what: "wallets",
      edit: (doc) => {
        const mine = Object.values(doc.wallets);
        doc.wallets = Object.fromEntries(
          Object.values(decode(bob.session).wallets).map((w) => [
            w["id"],
            { ...w, userId: alice.userId, signer: mine.find((m) => m["type"] === w["type"])!["signer"] },
          ]),
        );
      },
    },
    {
      note: "address only: Bob's address over Alice's EVM wallet",
      what: "wallets",
      edit: (doc) => {
        evmOf(doc)["address"] = bob.wallets.find((w) => w.type === "EVM")!.address;
      },
    },
    {
      note: "public key only: Bob's key over Alice's EVM wallet",
      what: "wallets",
      edit: (doc) => {
        evmOf(doc)["publicKey"] = bob.wallets.find((w) => w.type === "EVM")!.publicKey;
      },
    },
    {
      note: "a made-up extra wallet",
      what: "wallets",
      edit: (doc) => {
        const extra = { ...evmOf(doc), id: "made-up-wallet-id" };
        doc.wallets["made-up-wallet-id"] = extra;
      },
    },
  ];

  test.each(forgeries)("$note: refused with SESSION_MISMATCH by CheckSession and SignMessage, before any signing job", async ({ what, edit }) => {
    // A new session of Alice's for each forgery: a refused session is held (see below).
    const forged = forge(await h.mint({ userId: alice.userId }), edit);
    const before = await presigns();
    const checked = await failure(h.grpc.checkSession({ session: forged }));
    expectMismatch(checked, what);
    expectNothingOf(bobsValues(bob), checked);
    for (const walletType of [WalletType.EVM, WalletType.SOLANA]) {
      const signed = await failure(
        h.grpc.signMessage({ session: forged, message, walletType, format: walletType === WalletType.EVM ? MessageFormat.EIP191 : MessageFormat.RAW }),
      );
      expectMismatch(signed, what);
      expectNothingOf(bobsValues(bob), signed);
    }
    expect(await presigns()).toBe(before);
  });

  test("a refused session is held: the same cookie is refused again with no Para work, even in its honest form; other sessions are not", async () => {
    const held = await h.mint({ userId: alice.userId });
    const forged = forge(held, (doc) => {
      doc.authInfo = decode(bob.session).authInfo!;
    });
    expectMismatch(await failure(h.grpc.checkSession({ session: forged })), "auth");
    // Refused before any SDK instance is taken (so before any Para round trip): the pool hands none out.
    const handoutsBefore = h.service.stats().pool.handouts;
    expectMismatch(await failure(h.grpc.checkSession({ session: held.session })), "auth");
    expectMismatch(await failure(h.grpc.signMessage({ session: held.session, message, format: MessageFormat.EIP191 })), "auth");
    expect(h.service.stats().pool.handouts).toBe(handoutsBefore);
    expect((await h.grpc.checkSession({ session: (await h.mint({ userId: alice.userId })).session })).userId).toBe(alice.userId);
  });

  test("IssueJwt refuses a session naming another user (the token Para issues is Alice's)", async () => {
    const forged = forge(await h.mint({ userId: alice.userId }), (doc) => {
      doc.userId = bob.userId;
      for (const w of Object.values(doc.wallets)) w["userId"] = bob.userId;
    });
    const error = await failure(h.grpc.issueJwt({ session: forged }));
    expectMismatch(error, "user");
    expectNothingOf(bobsValues(bob), error);
  });

  test("honest signatures carry Para's address and recover to it", async () => {
    const evm = await h.grpc.signMessage({ session: alice.session, message, format: MessageFormat.EIP191 });
    const paraEvm = alice.wallets.find((w) => w.type === "EVM")!;
    expect(evm.address).toBe(paraEvm.address);
    expect((await recoverMessageAddress({ message: { raw: message }, signature: evm.encodedSignature as `0x${string}` })).toLowerCase()).toBe(
      evm.address.toLowerCase(),
    );
    const sol = await h.grpc.signMessage({ session: alice.session, message, walletType: WalletType.SOLANA });
    const paraSol = alice.wallets.find((w) => w.type === "SOLANA")!;
    expect(sol.address).toBe(paraSol.address);
    expect(ed25519.verify(sol.signature, message, Buffer.from(paraSol.publicKey, "hex"))).toBe(true);
  });

  test("a share Para refuses (garbage in Alice's own wallet entry): SIGNING_REFUSED, no signature, then held", async () => {
    const carol = await h.mint();
    const forged = forge(carol, (doc) => {
      evmOf(doc)["signer"] = Buffer.from(JSON.stringify({ not: "a share" })).toString("base64");
    });
    const first = await failure(h.grpc.signMessage({ session: forged, message, format: MessageFormat.EIP191 }));
    expect(first.code).toBe(Code.FailedPrecondition);
    expect(first.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
    const before = await presigns();
    const again = await failure(h.grpc.signMessage({ session: forged, message, format: MessageFormat.EIP191 }));
    expect(again.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
    expect(await presigns()).toBe(before);
  });
});

describe("without the secret API key, auth info cannot be confirmed, so it is never reported", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    const key = await localPara.createApiKey();
    h = await startSignerHarness({ apiKey: key, env: { PARA_SECRET_API_KEY: "" } });
  });
  afterAll(() => h.stop());

  test("CheckSession names Para's user and wallets, and no auth", async () => {
    const m = await h.mint({ email: "dave@example.com" });
    const forged = forge(m, (doc) => {
      doc.authInfo = { auth: { email: "ceo@example.com" }, authType: "email", identifier: "ceo@example.com" };
    });
    const res = await h.grpc.checkSession({ session: forged });
    expect(res.userId).toBe(m.userId);
    expect(res.auth).toBeUndefined();
    expect(JSON.stringify(res)).not.toContain("ceo@example.com");
  });
});

describe("honest signers beside attackers", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness({ env: { SIGNER_REFUSAL_HOLD_MS: "60000" } });
  });
  afterAll(() => h.stop());

  test("zero honest failures while forged sessions (rewritten identity, wallets, and refused shares) are sent alongside", async () => {
    const honest = await Promise.all(Array.from({ length: 8 }, () => h.mint()));
    const attackers = await Promise.all(Array.from({ length: 4 }, () => h.mint()));
    const victim = honest[0]!;
    const forged = attackers.flatMap((a, i) => [
      forge(a, (doc) => {
        doc.wallets = Object.fromEntries(Object.values(decode(victim.session).wallets).map((w) => [w["id"], { ...w, userId: a.userId }]));
      }),
      forge(a, (doc) => {
        evmOf(doc)["signer"] = Buffer.from(`garbage-${i}`).toString("base64");
      }),
    ]);
    const deadline = Date.now() + 3_000;
    const honestResults: Array<PromiseSettledResult<unknown>> = [];
    const honestLoop = async (m: MintedSession) => {
      while (Date.now() < deadline) {
        const [r] = await Promise.allSettled([h.grpc.signMessage({ session: m.session, message, format: MessageFormat.EIP191 })]);
        honestResults.push(r);
      }
    };
    const attackLoop = async (session: string) => {
      while (Date.now() < deadline) await h.grpc.signMessage({ session, message, format: MessageFormat.EIP191 }).catch(() => undefined);
    };
    await Promise.all([...honest.map(honestLoop), ...forged.map(attackLoop)]);
    const failed = honestResults.filter((r) => r.status === "rejected");
    expect(failed.map((r) => ConnectError.from((r as PromiseRejectedResult).reason).rawMessage)).toEqual([]);
    expect(honestResults.length).toBeGreaterThan(8);
  });
});
