import { Code } from "@connectrpc/connect";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  appendTransactionMessageInstruction,
  compileTransaction,
  createTransactionMessage,
  getAddressEncoder,
  getTransactionDecoder,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
} from "@solana/kit";
import {
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  serializeTransaction,
  toHex,
  verifyTypedData,
  type TransactionSerializable,
  type TypedDataDefinition,
} from "viem";
import { recoverAuthorizationAddress } from "viem/utils";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../../src/local-para/example-payloads.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const evmOf = (m: MintedSession) => m.wallets.find((w) => w.type === "EVM")!;
const solOf = (m: MintedSession) => m.wallets.find((w) => w.type === "SOLANA")!;
const hex = (b: Uint8Array) => toHex(b);
const CONTRACT = "0x63c0c19a282a1B52b07dD5a65b58948A07DAE32B";

function expectViolation(error: unknown, field: string, reason?: string): void {
  const e = error as import("@connectrpc/connect").ConnectError;
  expect(e.code).toBe(Code.InvalidArgument);
  const violation = e.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
  expect(violation?.field).toBe(field);
  if (reason) expect(violation?.reason).toBe(reason);
}

describe("SignTransaction, SignTypedData, SignAuthorization, SignSolanaTransaction (real server, local Para)", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test.each(["legacy", "eip2930", "eip1559", "eip7702"] as const)("EVM %s: signed through Para's transaction route, verified with viem", async (type) => {
    const m = await h.mint();
    const before = (await localPara.stats()).byApiKey[h.key.apiKey]?.transactionsSign ?? 0;
    const unsigned = exampleEvmTransaction(137, type);
    const res = await h.grpc.signTransaction({ session: m.session, unsignedTransaction: unsigned, chainId: 137n });
    expect(res.walletId).toBe(evmOf(m).id);
    expect(res.address).toBe(evmOf(m).address);
    expect(res.r.length).toBe(32);
    expect(res.s.length).toBe(32);
    expect([0, 1]).toContain(res.yParity);
    const signed = hex(res.signedTransaction);
    const parsed = parseTransaction(signed) as TransactionSerializable & { r: string; s: string };
    expect(parsed.type).toBe(type);
    expect(parsed.chainId).toBe(137);
    // As numbers: viem's legacy parser drops a leading zero byte of r or s; the answer always has 32 bytes.
    expect(BigInt(parsed.r)).toBe(BigInt(hex(res.r)));
    expect(BigInt(parsed.s)).toBe(BigInt(hex(res.s)));
    expect(hex(res.transactionHash)).toBe(keccak256(signed));
    // recoverTransactionAddress takes the signed serialization and recovers from its own signing hash.
    const recovered = await recoverTransactionAddress({ serializedTransaction: signed as never });
    expect(recovered.toLowerCase()).toBe(evmOf(m).address.toLowerCase());
    // The signed transaction is the caller's transaction plus the signature, nothing else.
    const { r: _r, s: _s, v: _v, yParity: _y, ...fields } = parsed as Record<string, unknown>;
    expect(serializeTransaction(fields as TransactionSerializable)).toBe(hex(unsigned));
    expect((await localPara.stats()).byApiKey[h.key.apiKey]?.transactionsSign ?? 0).toBe(before + 1);
  });

  test("EVM over Connect with an explicit wallet id", async () => {
    const m = await h.mint();
    const res = await h.connect.signTransaction({ session: m.session, walletId: evmOf(m).id, unsignedTransaction: exampleEvmTransaction(1), chainId: 1n });
    const recovered = await recoverTransactionAddress({ serializedTransaction: hex(res.signedTransaction) as never });
    expect(recovered.toLowerCase()).toBe(evmOf(m).address.toLowerCase());
  });

  test.each([
    { note: "empty", tx: () => new Uint8Array(0), chainId: 1n, field: "unsigned_transaction", reason: "REQUIRED" },
    { note: "garbage", tx: () => new Uint8Array([0x02, 0xc1, 0xff, 0x00]), chainId: 1n, field: "unsigned_transaction", reason: "MALFORMED" },
    { note: "truncated", tx: () => exampleEvmTransaction(1).slice(0, 20), chainId: 1n, field: "unsigned_transaction", reason: "MALFORMED" },
    { note: "trailing bytes", tx: () => new Uint8Array([...exampleEvmTransaction(1), 0x00]), chainId: 1n, field: "unsigned_transaction" },
    {
      note: "blob (0x03) envelope",
      tx: () => new Uint8Array([0x03, ...exampleEvmTransaction(1).slice(1)]),
      chainId: 1n,
      field: "unsigned_transaction",
      reason: "UNSUPPORTED_TYPE",
    },
    { note: "wrong chain id", tx: () => exampleEvmTransaction(1), chainId: 5n, field: "chain_id", reason: "CHAIN_MISMATCH" },
    { note: "chain id missing", tx: () => exampleEvmTransaction(1), chainId: 0n, field: "chain_id", reason: "REQUIRED" },
    {
      note: "legacy without EIP-155 chain id",
      tx: () => hexBytes(serializeTransaction({ type: "legacy", to: CONTRACT, value: 1n, nonce: 0, gas: 21_000n, gasPrice: 1n })),
      chainId: 1n,
      field: "unsigned_transaction",
      reason: "NO_CHAIN_ID",
    },
    {
      note: "already signed",
      tx: () =>
        hexBytes(
          serializeTransaction(parseTransaction(hex(exampleEvmTransaction(1))) as TransactionSerializable, {
            r: `0x${"11".repeat(32)}`,
            s: `0x${"22".repeat(32)}`,
            yParity: 0,
          }),
        ),
      chainId: 1n,
      field: "unsigned_transaction",
      reason: "ALREADY_SIGNED",
    },
    {
      note: "signed legacy",
      tx: () =>
        hexBytes(
          serializeTransaction(
            { type: "legacy", to: CONTRACT, value: 1n, nonce: 0, gas: 21_000n, gasPrice: 1n, chainId: 1 },
            { r: `0x${"11".repeat(32)}`, s: `0x${"22".repeat(32)}`, v: 37n },
          ),
        ),
      chainId: 1n,
      field: "unsigned_transaction",
      reason: "ALREADY_SIGNED",
    },
  ])("EVM $note: INVALID_ARGUMENT on $field, before Para", async ({ tx, chainId, field, reason }) => {
    const m = await h.mint();
    const before = (await localPara.stats()).byApiKey[h.key.apiKey]?.transactionsSign ?? 0;
    expectViolation(await failure(h.grpc.signTransaction({ session: m.session, unsignedTransaction: tx(), chainId })), field, reason);
    expect((await localPara.stats()).byApiKey[h.key.apiKey]?.transactionsSign ?? 0).toBe(before);
  });

  test("EVM: a Solana wallet id is not an EVM wallet (NOT_FOUND)", async () => {
    const m = await h.mint();
    const error = await failure(
      h.grpc.signTransaction({ session: m.session, walletId: solOf(m).id, unsignedTransaction: exampleEvmTransaction(1), chainId: 1n }),
    );
    expect(error.code).toBe(Code.NotFound);
  });

  test.each([false, true])("typed data (EIP712Domain listed: %s) verifies with viem verifyTypedData", async (withDomainType) => {
    const m = await h.mint();
    const typed = exampleTypedData(withDomainType);
    const res = await h.grpc.signTypedData({ session: m.session, typedDataJson: JSON.stringify(typed) });
    expect(res.walletId).toBe(evmOf(m).id);
    expect(res.signature.length).toBe(65);
    expect([27, 28]).toContain(res.signature[64]);
    expect(res.encodedSignature).toBe(hex(res.signature));
    expect(res.digest.length).toBe(32);
    const ok = await verifyTypedData({
      ...(typed as unknown as TypedDataDefinition),
      address: evmOf(m).address as `0x${string}`,
      signature: hex(res.signature),
    });
    expect(ok).toBe(true);
  });

  test.each([
    { note: "not JSON", json: "{nope", reason: "NOT_JSON" },
    { note: "empty", json: "", reason: "REQUIRED" },
    { note: "an array", json: "[]", reason: "NOT_TYPED_DATA" },
    { note: "primaryType missing", json: JSON.stringify({ ...exampleTypedData(), primaryType: undefined }), reason: "NOT_TYPED_DATA" },
    { note: "unknown primaryType", json: JSON.stringify({ ...exampleTypedData(), primaryType: "Nope" }), reason: "NOT_HASHABLE" },
    {
      note: "invalid type name",
      json: JSON.stringify({ ...exampleTypedData(), types: { ...(exampleTypedData()["types"] as object), Person: [{ name: "n", type: "uint999" }] } }),
      reason: "NOT_HASHABLE",
    },
    {
      note: "value not matching its type",
      json: JSON.stringify({
        ...exampleTypedData(),
        message: { ...(exampleTypedData()["message"] as object), from: { name: "x", wallet: "CANARY-not-an-address" } },
      }),
      reason: "NOT_HASHABLE",
    },
    { note: "over the size limit", json: JSON.stringify({ ...exampleTypedData(), pad: "x".repeat(64 * 1024) }), reason: "TOO_LARGE" },
  ])("typed data $note: INVALID_ARGUMENT on typed_data_json, value never echoed", async ({ json, reason }) => {
    const m = await h.mint();
    const error = await failure(h.grpc.signTypedData({ session: m.session, typedDataJson: json }));
    expectViolation(error, "typed_data_json", reason);
    expect(JSON.stringify({ m: error.rawMessage, d: error.findDetails(BadRequestSchema) })).not.toContain("CANARY");
  });

  test("EIP-7702 authorization recovers to the wallet with viem", async () => {
    const m = await h.mint();
    const res = await h.grpc.signAuthorization({ session: m.session, chainId: 1n, contractAddress: CONTRACT, nonce: 7n });
    expect(res.walletId).toBe(evmOf(m).id);
    expect([0, 1]).toContain(res.yParity);
    const recovered = await recoverAuthorizationAddress({
      authorization: { address: CONTRACT, chainId: 1, nonce: 7 },
      signature: { r: hex(res.r), s: hex(res.s), yParity: res.yParity },
    });
    expect(recovered.toLowerCase()).toBe(evmOf(m).address.toLowerCase());
  });

  test.each([
    { note: "address not hex", req: { chainId: 1n, contractAddress: "0xZZ", nonce: 0n }, field: "contract_address" },
    { note: "address with a bad checksum", req: { chainId: 1n, contractAddress: CONTRACT.replace("B52", "b52"), nonce: 0n }, field: "contract_address" },
    { note: "address missing", req: { chainId: 1n, contractAddress: "", nonce: 0n }, field: "contract_address" },
    { note: "chain id 0 (every chain)", req: { chainId: 0n, contractAddress: CONTRACT, nonce: 0n }, field: "chain_id" },
    { note: "nonce beyond 2^53", req: { chainId: 1n, contractAddress: CONTRACT, nonce: 2n ** 60n }, field: "nonce" },
  ])("authorization $note: INVALID_ARGUMENT on $field", async ({ req, field }) => {
    const m = await h.mint();
    expectViolation(await failure(h.grpc.signAuthorization({ session: m.session, ...req })), field);
  });

  test.each([["legacy", "legacy"] as const, ["v0", 0] as const])(
    "Solana %s: the wallet's slot signed, verified against its public key",
    async (_name, version) => {
      const m = await h.mint();
      const sol = solOf(m);
      const other = await h.mint();
      // Two signers: the wallet pays, another account also signs (its slot stays zero).
      const unsigned = exampleSolanaTransaction(sol.address, version, solOf(other).address);
      const twoSigners = exampleSolanaTransactionWithSigners(sol.address, solOf(other).address, version);
      for (const wire of [unsigned, twoSigners]) {
        const res = await h.grpc.signSolanaTransaction({ session: m.session, transaction: wire });
        expect(res.walletId).toBe(sol.id);
        expect(res.address).toBe(sol.address);
        expect(res.signature.length).toBe(64);
        const decoded = getTransactionDecoder().decode(res.signedTransaction);
        const pub = new Uint8Array(getAddressEncoder().encode(sol.address as Address));
        const slot = decoded.signatures[sol.address as Address];
        expect(slot && Buffer.from(slot).equals(Buffer.from(res.signature))).toBe(true);
        expect(ed25519.verify(res.signature, new Uint8Array(decoded.messageBytes), pub)).toBe(true);
        expect(Buffer.from(decoded.messageBytes).equals(Buffer.from(getTransactionDecoder().decode(wire).messageBytes))).toBe(true);
        for (const [address, signature] of Object.entries(decoded.signatures)) if (address !== sol.address) expect(signature).toBeNull();
      }
    },
  );

  test("Solana: a wallet that is not a required signer is INVALID_ARGUMENT (before Para)", async () => {
    const m = await h.mint();
    const stranger = await h.mint();
    const wire = exampleSolanaTransaction(solOf(stranger).address, 0);
    expectViolation(await failure(h.grpc.signSolanaTransaction({ session: m.session, transaction: wire })), "transaction", "NOT_A_SIGNER");
    expectViolation(await failure(h.grpc.signSolanaTransaction({ session: m.session, walletId: solOf(m).id, transaction: wire })), "wallet_id", "NOT_A_SIGNER");
  });

  test.each([
    { note: "empty", wire: () => new Uint8Array(0) },
    { note: "garbage", wire: () => new Uint8Array([1, 2, 3]) },
    { note: "trailing bytes", wire: (a: string) => new Uint8Array([...exampleSolanaTransaction(a, 0), 9, 9]) },
    { note: "truncated", wire: (a: string) => exampleSolanaTransaction(a, 0).slice(0, 100) },
  ])("Solana $note: INVALID_ARGUMENT on transaction", async ({ wire }) => {
    const m = await h.mint();
    expectViolation(await failure(h.grpc.signSolanaTransaction({ session: m.session, transaction: wire(solOf(m).address) })), "transaction");
  });

  test("a policy denial → PERMISSION_DENIED / POLICY_DENIED naming the rule (transactions and typed data)", async () => {
    const m = await h.mint();
    await localPara.setPolicyDenial(evmOf(m).id, true, "rule-7-max-value");
    const error = await failure(h.grpc.signTransaction({ session: m.session, unsignedTransaction: exampleEvmTransaction(1), chainId: 1n }));
    expect(error.code).toBe(Code.PermissionDenied);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("POLICY_DENIED");
    expect(info?.metadata["denied_by"]).toBe("rule-7-max-value");
    const n = await h.mint();
    await localPara.setPolicyDenial(evmOf(n).id, true);
    const typed = await failure(h.grpc.signTypedData({ session: n.session, typedDataJson: JSON.stringify(exampleTypedData()) }));
    expect(typed.code).toBe(Code.PermissionDenied);
    expect(typed.findDetails(ErrorInfoSchema)[0]?.reason).toBe("POLICY_DENIED");
  });

  test("review → FAILED_PRECONDITION / TRANSACTION_REVIEW_REQUIRED with the pending id", async () => {
    const m = await h.mint();
    await localPara.setTransactionReview(evmOf(m).id, true);
    await localPara.setTransactionReview(solOf(m).id, true);
    // Thunks: each call starts only when awaited (a call started early would reject unobserved).
    const calls = [
      () => h.grpc.signTransaction({ session: m.session, unsignedTransaction: exampleEvmTransaction(1), chainId: 1n }),
      () => h.grpc.signTypedData({ session: m.session, typedDataJson: JSON.stringify(exampleTypedData()) }),
      () => h.grpc.signAuthorization({ session: m.session, chainId: 1n, contractAddress: CONTRACT, nonce: 0n }),
      () => h.grpc.signSolanaTransaction({ session: m.session, transaction: exampleSolanaTransaction(solOf(m).address) }),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error.code).toBe(Code.FailedPrecondition);
      const info = error.findDetails(ErrorInfoSchema)[0];
      expect(info?.reason).toBe("TRANSACTION_REVIEW_REQUIRED");
      expect(info?.metadata["pendingTransactionId"]).toBeTruthy();
    }
  });

  test("a rewritten session (another user's wallets) → UNAUTHENTICATED / SESSION_MISMATCH on every new RPC, nothing signed", async () => {
    const alice = await h.mint();
    const bob = await h.mint();
    const doc = JSON.parse(Buffer.from(bob.session, "base64").toString()) as Record<string, unknown>;
    const aliceDoc = JSON.parse(Buffer.from(alice.session, "base64").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...doc, sessionCookie: aliceDoc["sessionCookie"], currentWalletIds: {} })).toString("base64");
    const presigns = async () => {
      const mine = (await localPara.stats()).byApiKey[h.key.apiKey];
      return (mine?.messagesSign ?? 0) + (mine?.transactionsSign ?? 0);
    };
    const before = await presigns();
    // Thunks: each call starts only when awaited (a call started early would reject unobserved).
    const calls = [
      () => h.grpc.signTransaction({ session: forged, unsignedTransaction: exampleEvmTransaction(1), chainId: 1n }),
      () => h.grpc.signTypedData({ session: forged, typedDataJson: JSON.stringify(exampleTypedData()) }),
      () => h.grpc.signAuthorization({ session: forged, chainId: 1n, contractAddress: CONTRACT, nonce: 0n }),
      () => h.grpc.signSolanaTransaction({ session: forged, transaction: exampleSolanaTransaction(solOf(bob).address) }),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SESSION_MISMATCH");
    }
    expect(await presigns()).toBe(before);
  });
});

function hexBytes(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h.slice(2), "hex"));
}

/** The same transfer, with `second` made a (read-only) signer too, so the transaction has two signature slots. */
function exampleSolanaTransactionWithSigners(payer: string, second: string, version: "legacy" | 0): Uint8Array {
  const message = pipe(
    createTransactionMessage({ version }),
    (m) => setTransactionMessageFeePayer(payer as Address, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: "4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi" as Blockhash, lastValidBlockHeight: 0n }, m),
    (m) =>
      appendTransactionMessageInstruction(
        {
          programAddress: "11111111111111111111111111111111" as Address,
          accounts: [
            { address: payer as Address, role: 3 },
            { address: second as Address, role: 2 },
          ],
          data: new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
        },
        m,
      ),
  );
  return new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
}
