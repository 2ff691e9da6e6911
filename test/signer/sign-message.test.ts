import { createPublicKey, verify } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { hashMessage, keccak256, recoverAddress, toHex, verifyMessage } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { base58Decode } from "../../src/encoding/base58.js";
import { failure } from "../support/failure.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

function ed25519Verify(publicKeyBase58: string, message: Uint8Array, signature: Uint8Array): boolean {
  const raw = Buffer.from(base58Decode(publicKeyBase58));
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
  return verify(null, message, createPublicKey({ key: spki, format: "der", type: "spki" }), signature);
}

describe("SignMessage against the local Para backend", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("EIP191 over gRPC: verifies with viem against the wallet address", async () => {
    const minted = await h.mint();
    const evm = minted.wallets.find((w) => w.type === "EVM")!;
    const message = new TextEncoder().encode("hello from para-signer");
    const res = await h.grpc.signMessage({ session: minted.session, message, format: MessageFormat.EIP191 });
    expect(res.walletId).toBe(evm.id);
    expect(res.walletType).toBe(WalletType.EVM);
    expect(res.address).toBe(evm.address);
    expect(res.signature.length).toBe(65);
    expect([27, 28]).toContain(res.signature[64]);
    expect(res.encodedSignature).toBe(toHex(res.signature));
    expect(await verifyMessage({ address: evm.address as `0x${string}`, message: { raw: message }, signature: toHex(res.signature) })).toBe(true);
  });

  test("RAW 32-byte digest over Connect: recovers to the wallet address", async () => {
    const minted = await h.mint();
    const digest = keccak256(new TextEncoder().encode("a transaction hash stand-in"), "bytes");
    const res = await h.connect.signMessage({ session: minted.session, message: digest, walletType: WalletType.EVM, format: MessageFormat.RAW });
    const recovered = await recoverAddress({ hash: toHex(digest), signature: toHex(res.signature) });
    expect(recovered.toLowerCase()).toBe(res.address.toLowerCase());
    expect(hashMessage({ raw: digest })).not.toBe(toHex(digest)); // RAW really is unprefixed
  });

  test("Solana: ed25519 signature over the raw bytes verifies with the wallet's public key", async () => {
    const minted = await h.mint();
    const sol = minted.wallets.find((w) => w.type === "SOLANA")!;
    const message = new TextEncoder().encode("any bytes, any length");
    const res = await h.grpc.signMessage({ session: minted.session, message, walletType: WalletType.SOLANA });
    expect(res.walletId).toBe(sol.id);
    expect(res.signature.length).toBe(64);
    expect(base58Decode(res.encodedSignature)).toEqual(res.signature);
    expect(ed25519Verify(sol.address, message, res.signature)).toBe(true);
  });

  test("wallet chosen by id", async () => {
    const minted = await h.mint();
    const sol = minted.wallets.find((w) => w.type === "SOLANA")!;
    const res = await h.grpc.signMessage({ session: minted.session, message: new Uint8Array([1, 2, 3]), walletId: sol.id });
    expect(res.walletType).toBe(WalletType.SOLANA);
  });

  test.each([
    { note: "RAW EVM message that is not 32 bytes", message: new Uint8Array(31), format: MessageFormat.RAW, field: "message" },
    { note: "empty message", message: new Uint8Array(0), format: MessageFormat.EIP191, field: "message" },
    { note: "message over the limit", message: new Uint8Array(64 * 1024 + 1), format: MessageFormat.EIP191, field: "message" },
    { note: "unknown format", message: new Uint8Array(32), format: 9 as MessageFormat, field: "format" },
  ])("$note: INVALID_ARGUMENT naming $field", async ({ message, format, field }) => {
    const minted = await h.mint();
    const error = await failure(h.grpc.signMessage({ session: minted.session, message, format }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe(field);
  });

  test("EIP191 on a Solana wallet is INVALID_ARGUMENT", async () => {
    const minted = await h.mint();
    const error = await failure(
      h.grpc.signMessage({ session: minted.session, message: new Uint8Array(4), walletType: WalletType.SOLANA, format: MessageFormat.EIP191 }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
  });

  test("unknown wallet id is NOT_FOUND; a type the session lacks is NOT_FOUND", async () => {
    const minted = await h.mint();
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32), walletId: "nope" }))).code).toBe(Code.NotFound);
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32), walletType: WalletType.COSMOS }))).code).toBe(
      Code.NotFound,
    );
  });

  test("a session exported without signers is FAILED_PRECONDITION / SIGNER_MISSING", async () => {
    const minted = await h.mint();
    const error = await failure(h.grpc.signMessage({ session: minted.sessionWithoutSigners, message: new Uint8Array(32) }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNER_MISSING");
  });

  test("keep-alive extends the session unless skipped", async () => {
    const minted = await h.mint();
    const res = await h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32), skipKeepAlive: true });
    expect(res.signature.length).toBe(65);
  });
});
