import { Code, ConnectError } from "@connectrpc/connect";
import { hashTypedData, keccak256, serializeTransaction, toHex, type TypedDataDefinition } from "viem";
import { describe, expect, test } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../../src/local-para/example-payloads.js";
import {
  validateAuthorization as validateSignAuthorizationRequest,
  validateEvmTransaction as validateSignTransactionRequest,
  validateTypedData as validateSignTypedDataRequest,
} from "../../src/signer/validation/evm-payloads.js";
import { requireSigner, validateSolanaTransaction, withSignature } from "../../src/signer/validation/solana-transaction.js";

/** Pure validators of the transaction RPCs (no server, no Para). */

const limits = { maxMessageBytes: 64 * 1024 };
const violation = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    const error = ConnectError.from(e);
    expect(error.code).toBe(Code.InvalidArgument);
    return error.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
  }
  throw new Error("expected INVALID_ARGUMENT");
};
const PAYER = "GmaDrppBC7P5ARKV8g3djiwP89vz1jLK23V2GBjuAEGB";

describe("validateSignTransactionRequest", () => {
  test.each(["legacy", "eip2930", "eip1559", "eip7702"] as const)("%s: accepted, the bytes kept exactly", (type) => {
    const bytes = exampleEvmTransaction(10, type);
    const valid = validateSignTransactionRequest({ unsignedTransaction: bytes, chainId: 10n }, limits);
    expect(valid.envelope).toBe(type);
    expect(valid.chainId).toBe(10);
    expect(serializeTransaction(valid.transaction)).toBe(toHex(bytes));
  });

  test("a legacy transaction's chain id comes from its EIP-155 fields", () => {
    const v = violation(() => validateSignTransactionRequest({ unsignedTransaction: exampleEvmTransaction(10, "legacy"), chainId: 1n }, limits));
    expect(v?.field).toBe("chain_id");
  });

  test("too large and out-of-range chain ids", () => {
    expect(
      violation(() => validateSignTransactionRequest({ unsignedTransaction: new Uint8Array(limits.maxMessageBytes + 1), chainId: 1n }, limits))?.reason,
    ).toBe("TOO_LARGE");
    expect(violation(() => validateSignTransactionRequest({ unsignedTransaction: exampleEvmTransaction(1), chainId: 2n ** 60n }, limits))?.reason).toBe(
      "OUT_OF_RANGE",
    );
  });
});

describe("validateSignTypedDataRequest", () => {
  test("the digest is viem's hashTypedData, with or without EIP712Domain", () => {
    const expected = hashTypedData(exampleTypedData() as unknown as TypedDataDefinition);
    for (const withDomain of [false, true]) {
      const valid = validateSignTypedDataRequest({ typedDataJson: JSON.stringify(exampleTypedData(withDomain)) }, limits);
      expect(toHex(valid.digest)).toBe(expected);
    }
  });

  test("integers as strings (decimal, hex) hash like numbers; a JSON number beyond 2^53 is refused", () => {
    const doc = { domain: { name: "x" }, types: { T: [{ name: "v", type: "uint256" }] }, primaryType: "T" };
    const digest = (v: unknown) => toHex(validateSignTypedDataRequest({ typedDataJson: JSON.stringify({ ...doc, message: { v } }) }, limits).digest);
    expect(digest("255")).toBe(digest(255));
    expect(digest("0xff")).toBe(digest(255));
    const big = `{"domain":{"name":"x"},"types":{"T":[{"name":"v","type":"uint256"}]},"primaryType":"T","message":{"v":123456789012345678901}}`;
    expect(violation(() => validateSignTypedDataRequest({ typedDataJson: big }, limits))?.reason).toBe("UNSAFE_NUMBER");
  });

  test("a message that does not fit its types does not hash", () => {
    const doc = exampleTypedData();
    const json = JSON.stringify({ ...doc, message: { ...(doc["message"] as object), to: "SECRET-VALUE" } });
    const v = violation(() => validateSignTypedDataRequest({ typedDataJson: json }, limits));
    expect(v?.reason).toBe("NOT_HASHABLE");
    expect(JSON.stringify(v)).not.toContain("SECRET-VALUE");
  });
});

describe("validateSignAuthorizationRequest", () => {
  test("the digest is keccak256(0x05 || rlp([chain_id, address, nonce]))", () => {
    const valid = validateSignAuthorizationRequest({ chainId: 1n, contractAddress: "0x000000000000000000000000000000000000dEaD", nonce: 0n });
    // rlp([0x01, 20-byte address, 0x80]) = 0xd7 01 94 <address> 80
    const rlp = `0x05d70194${"000000000000000000000000000000000000dead"}80` as const;
    expect(toHex(valid.digest)).toBe(keccak256(rlp));
  });
});

describe("validateSolanaTransaction", () => {
  test.each([["legacy", "legacy"] as const, ["v0", 0] as const])("%s: the signers, and the signature lands in the payer's slot", (name, version) => {
    const wire = exampleSolanaTransaction(PAYER, version);
    const valid = validateSolanaTransaction(wire, 1232);
    expect(valid.version).toBe(name);
    expect(valid.signers).toEqual([PAYER]);
    requireSigner(valid, PAYER, "transaction");
    const signed = withSignature(valid, PAYER, new Uint8Array(64).fill(7));
    expect(signed.length).toBe(wire.length);
    expect(Buffer.from(signed.subarray(1, 65)).equals(Buffer.alloc(64, 7))).toBe(true);
    expect(Buffer.from(signed.subarray(65)).equals(Buffer.from(wire.subarray(65)))).toBe(true);
  });

  test("a wallet that is not a required signer is refused", () => {
    const valid = validateSolanaTransaction(exampleSolanaTransaction(PAYER), 1232);
    expect(violation(() => requireSigner(valid, "11111111111111111111111111111111", "wallet_id"))?.field).toBe("wallet_id");
  });
});
