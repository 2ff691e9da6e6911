import { createPublicKey, verify } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { keccak256, recoverAddress, toHex, verifyMessage } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { Status } from "../../gen/google/rpc/status_pb.js";
import { MessageFormat, type SignMessagesItemSchema, type SignMessagesResult, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { base58Decode } from "../../src/encoding/base58.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

/**
 * SignMessages through a real server against the local Para backend. Honest users: a batch of mixed items, each
 * verified independently; the attacker: a batch padded with items the session cannot sign (another user's wallet,
 * malformed digests) must not fail the honest items, nor cost more than its own items.
 */

function ed25519Verify(publicKeyBase58: string, message: Uint8Array, signature: Uint8Array): boolean {
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(base58Decode(publicKeyBase58))]);
  return verify(null, message, createPublicKey({ key: spki, format: "der", type: "spki" }), signature);
}

const text = (s: string) => new TextEncoder().encode(s);
type ItemInit = MessageInitShape<typeof SignMessagesItemSchema>;
const errorOf = (r: SignMessagesResult | undefined): Status => {
  if (r?.result.case !== "error") throw new Error(`expected an error result, got ${r?.result.case}`);
  return r.result.value;
};
const detail = <T extends typeof ErrorInfoSchema | typeof BadRequestSchema>(status: Status, schema: T) =>
  status.details.map((any) => anyUnpack(any, schema)).find((d) => d !== undefined);

/** Twenty items of five kinds: EVM EIP-191, EVM RAW digest, Solana raw, a malformed RAW digest, a wallet not in the session. */
function mixedItems(stranger: MintedSession, n = 20): ItemInit[] {
  const items: ItemInit[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 5;
    if (kind === 0) items.push({ message: text(`item ${i}`), format: MessageFormat.EIP191 });
    if (kind === 1) items.push({ message: keccak256(text(`item ${i}`), "bytes"), walletType: WalletType.EVM, format: MessageFormat.RAW });
    if (kind === 2) items.push({ message: text(`item ${i}`), walletType: WalletType.SOLANA });
    if (kind === 3) items.push({ message: new Uint8Array(31), walletType: WalletType.EVM, format: MessageFormat.RAW });
    if (kind === 4) items.push({ message: text(`item ${i}`), walletId: stranger.wallets[0]!.id });
  }
  return items;
}

describe("SignMessages", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("a batch of 20 mixed items: each answered in order, signatures verified independently, bad items fail alone", async () => {
    const [m, stranger] = await Promise.all([h.mint(), h.mint()]);
    const evm = m.wallets.find((w) => w.type === "EVM")!;
    const sol = m.wallets.find((w) => w.type === "SOLANA")!;
    const items = mixedItems(stranger);
    const res = await h.grpc.signMessages({ session: m.session, items });
    expect(res.results).toHaveLength(20);
    for (const [i, result] of res.results.entries()) {
      const item = { message: items[i]!.message ?? new Uint8Array() };
      const kind = i % 5;
      if (kind === 3) {
        const status = errorOf(result);
        expect(status.code).toBe(Code.InvalidArgument);
        expect(detail(status, BadRequestSchema)?.fieldViolations[0]?.field).toBe(`items[${i}].message`);
        continue;
      }
      if (kind === 4) {
        expect(errorOf(result).code).toBe(Code.NotFound);
        continue;
      }
      expect(result.result.case).toBe("signature");
      const signed = result.result.value as Extract<SignMessagesResult["result"], { case: "signature" }>["value"];
      if (kind === 0) {
        expect(signed.address).toBe(evm.address);
        expect(await verifyMessage({ address: evm.address as `0x${string}`, message: { raw: item.message }, signature: toHex(signed.signature) })).toBe(true);
      } else if (kind === 1) {
        expect((await recoverAddress({ hash: toHex(item.message), signature: toHex(signed.signature) })).toLowerCase()).toBe(evm.address.toLowerCase());
      } else {
        expect(signed.walletId).toBe(sol.id);
        expect(ed25519Verify(sol.address, item.message, signed.signature)).toBe(true);
      }
    }
  });

  test("Para requests: one touch, one keep-alive and one instance for the batch, against N of each for N calls", async () => {
    const n = 10;
    const [a, b] = await Promise.all([h.mint(), h.mint()]);
    const items = Array.from({ length: n }, (_, i) => ({ message: text(`count ${i}`), format: MessageFormat.EIP191 }));
    const handouts = () => h.service.stats().pool.handouts;

    const batchHandoutsBefore = handouts();
    const batch = await h.grpc.signMessages({ session: a.session, items });
    const batchInstances = handouts() - batchHandoutsBefore;
    expect(batch.results.every((r) => r.result.case === "signature")).toBe(true);
    const batchCounts = (await localPara.requestCounts({ userId: a.userId })).requests;

    const singleHandoutsBefore = handouts();
    for (const item of items) await h.grpc.signMessage({ session: b.session, ...item });
    const singleInstances = handouts() - singleHandoutsBefore;
    const singleCounts = (await localPara.requestCounts({ userId: b.userId })).requests;

    expect(batchInstances).toBe(1);
    expect(singleInstances).toBe(n);
    expect(batchCounts.touch).toBe(1);
    expect(batchCounts.keepAlive).toBe(1);
    expect(singleCounts.touch).toBe(n);
    expect(singleCounts.keepAlive).toBe(n);
    // The signing round trips themselves are the same per signature either way.
    expect(batchCounts.messagesSign).toBe(n);
    expect(singleCounts.messagesSign).toBe(n);
  });

  test("one item's review or held signer is its own result; the other wallet still signs", async () => {
    const m = await h.mint();
    const evm = m.wallets.find((w) => w.type === "EVM")!;
    await localPara.setTransactionReview(evm.id, true);
    const res = await h.grpc.signMessages({
      session: m.session,
      items: [
        { message: text("needs review"), format: MessageFormat.EIP191 },
        { message: text("solana is fine"), walletType: WalletType.SOLANA },
      ],
    });
    const review = errorOf(res.results[0]);
    expect(review.code).toBe(Code.FailedPrecondition);
    const info = detail(review, ErrorInfoSchema);
    expect(info?.reason).toBe("TRANSACTION_REVIEW_REQUIRED");
    expect(info?.metadata["pendingTransactionId"]).toBeTruthy();
    expect(res.results[1]?.result.case).toBe("signature");
  });

  test("the whole call fails only for the session or the batch's own bounds", async () => {
    const m = await h.mint();
    const none = await failure(h.grpc.signMessages({ session: m.session, items: [] }));
    expect(none.code).toBe(Code.InvalidArgument);
    expect(none.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("items");
    const tooMany = await failure(h.grpc.signMessages({ session: m.session, items: Array.from({ length: 65 }, () => ({ message: text("x") })) }));
    expect(tooMany.code).toBe(Code.InvalidArgument);
    expect(tooMany.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.reason).toBe("TOO_LARGE");
    await localPara.revokeSession(m.sessionCookie);
    const revoked = await failure(h.grpc.signMessages({ session: m.session, items: [{ message: text("x"), format: MessageFormat.EIP191 }] }));
    expect(revoked.code).toBe(Code.Unauthenticated);
  });

  test("attacker: a batch of nothing but unsignable items signs nothing, and an inactive session still fails the call", async () => {
    const [m, stranger] = await Promise.all([h.mint(), h.mint()]);
    const before = await localPara.requestCounts({ userId: m.userId });
    const items = Array.from({ length: 8 }, () => ({ message: text("not mine"), walletId: stranger.wallets[0]!.id }));
    const res = await h.grpc.signMessages({ session: m.session, items });
    expect(res.results.map((r) => errorOf(r).code)).toEqual(Array(8).fill(Code.NotFound));
    const after = (await localPara.requestCounts({ userId: m.userId })).requests;
    expect((after.messagesSign ?? 0) - (before.requests.messagesSign ?? 0)).toBe(0);
    await localPara.revokeSession(m.sessionCookie);
    expect((await failure(h.grpc.signMessages({ session: m.session, items }))).code).toBe(Code.Unauthenticated);
  });
});
