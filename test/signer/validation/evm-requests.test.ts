import { hashTypedData, type TypedDataDefinition, toHex } from "viem";
import { hashAuthorization } from "viem/utils";
import { describe, expect, test } from "vitest";
import { exampleEvmTransaction, exampleTypedData } from "../../../src/local-para/example-payloads.js";
import { validateSignAuthorizationRequest, validateSignTransactionRequest, validateSignTypedDataRequest } from "../../../src/signer/validation/evm-requests.js";
import { EVM_WALLET, invalid, LIMITS, NOT_FOUND_BY_ID, NOT_FOUND_BY_TYPE, refusal, SESSION, SIGNER_MISSING, SOLANA_WALLET, sessionWith } from "./support.js";

const SOLANA_ONLY = sessionWith(SOLANA_WALLET);
const NO_SIGNER = sessionWith({ ...EVM_WALLET, signer: false });
const CONTRACT = "0x2222222222222222222222222222222222222222";

describe("validateSignTransactionRequest", () => {
  const tx = exampleEvmTransaction(10, "eip1559");
  const req = (fields: Partial<{ session: string; walletId: string; unsignedTransaction: Uint8Array; chainId: bigint }> = {}) => ({
    session: SESSION,
    walletId: "",
    unsignedTransaction: tx,
    chainId: 10n,
    ...fields,
  });

  test("accepted: the session, its EVM wallet, the transaction parsed (the caller's bytes kept)", () => {
    const valid = validateSignTransactionRequest(req(), LIMITS);
    expect(valid.session.userId).toBe("user-1");
    expect(valid.wallet.id).toBe(EVM_WALLET.id);
    expect(valid.transaction).toMatchObject({ envelope: "eip1559", chainId: 10, serialized: tx });
    expect(validateSignTransactionRequest(req({ walletId: EVM_WALLET.id }), LIMITS).wallet.id).toBe(EVM_WALLET.id);
  });

  test.each([
    { note: "no session", fields: { session: "" }, want: invalid("session", "required", "REQUIRED") },
    { note: "no transaction", fields: { unsignedTransaction: new Uint8Array() }, want: invalid("unsigned_transaction", "required", "REQUIRED") },
    {
      note: "transaction over the message limit",
      fields: { unsignedTransaction: new Uint8Array(LIMITS.maxMessageBytes + 1) },
      want: invalid("unsigned_transaction", `larger than ${LIMITS.maxMessageBytes} bytes`, "TOO_LARGE"),
    },
    { note: "no chain id", fields: { chainId: 0n }, want: invalid("chain_id", "required", "REQUIRED") },
    { note: "another chain", fields: { chainId: 1n }, want: invalid("chain_id", "does not match the transaction's chain id", "CHAIN_MISMATCH") },
    {
      note: "an unknown envelope",
      fields: { unsignedTransaction: Uint8Array.of(0x05, 0xc0) },
      want: invalid("unsigned_transaction", "not a legacy, EIP-2930, EIP-1559 or EIP-7702 transaction", "UNSUPPORTED_TYPE"),
    },
    { note: "wallet_id not in the session", fields: { walletId: "w-other" }, want: NOT_FOUND_BY_ID },
    { note: "wallet_id of a Solana wallet", fields: { walletId: SOLANA_WALLET.id }, want: NOT_FOUND_BY_ID },
    { note: "no EVM wallet", fields: { session: SOLANA_ONLY }, want: NOT_FOUND_BY_TYPE },
    { note: "EVM wallet without its signer share", fields: { session: NO_SIGNER }, want: SIGNER_MISSING },
  ])("refused: $note", ({ fields, want }) => {
    expect(refusal(() => validateSignTransactionRequest(req(fields), LIMITS))).toEqual(want);
  });

  test("checks answer in order: session, transaction, wallet", () => {
    const bad = { unsignedTransaction: new Uint8Array(), walletId: "w-other" };
    expect(refusal(() => validateSignTransactionRequest(req({ ...bad, session: "" }), LIMITS)).violations[0]?.field).toBe("session");
    expect(refusal(() => validateSignTransactionRequest(req(bad), LIMITS)).violations[0]?.field).toBe("unsigned_transaction");
  });
});

describe("validateSignTypedDataRequest", () => {
  const json = JSON.stringify(exampleTypedData());
  const req = (fields: Partial<{ session: string; walletId: string; typedDataJson: string }> = {}) => ({
    session: SESSION,
    walletId: "",
    typedDataJson: json,
    ...fields,
  });

  test("accepted: the EVM wallet, viem's EIP-712 digest and the JSON's length", () => {
    const valid = validateSignTypedDataRequest(req(), LIMITS);
    expect(valid.wallet.id).toBe(EVM_WALLET.id);
    expect(toHex(valid.typedData.digest)).toBe(hashTypedData(exampleTypedData() as unknown as TypedDataDefinition));
    expect(valid.typedData.length).toBe(Buffer.byteLength(json));
  });

  test.each([
    { note: "no session", fields: { session: "" }, want: invalid("session", "required", "REQUIRED") },
    { note: "no typed data", fields: { typedDataJson: "" }, want: invalid("typed_data_json", "required", "REQUIRED") },
    {
      note: "over the message limit",
      fields: { typedDataJson: " ".repeat(LIMITS.maxMessageBytes + 1) },
      want: invalid("typed_data_json", `larger than ${LIMITS.maxMessageBytes} bytes`, "TOO_LARGE"),
    },
    { note: "not JSON", fields: { typedDataJson: "{" }, want: invalid("typed_data_json", "not JSON", "NOT_JSON") },
    { note: "a JSON array", fields: { typedDataJson: "[]" }, want: invalid("typed_data_json", "not a JSON object", "NOT_TYPED_DATA") },
    { note: "no EVM wallet", fields: { session: SOLANA_ONLY }, want: NOT_FOUND_BY_TYPE },
    { note: "EVM wallet without its signer share", fields: { session: NO_SIGNER }, want: SIGNER_MISSING },
  ])("refused: $note", ({ fields, want }) => {
    expect(refusal(() => validateSignTypedDataRequest(req(fields), LIMITS))).toEqual(want);
  });

  test("the typed data is checked before the wallet", () => {
    expect(refusal(() => validateSignTypedDataRequest(req({ typedDataJson: "{", session: SOLANA_ONLY }), LIMITS)).violations[0]?.reason).toBe("NOT_JSON");
  });
});

describe("validateSignAuthorizationRequest", () => {
  const req = (fields: Partial<{ session: string; walletId: string; chainId: bigint; contractAddress: string; nonce: bigint }> = {}) => ({
    session: SESSION,
    walletId: "",
    chainId: 10n,
    contractAddress: CONTRACT,
    nonce: 3n,
    ...fields,
  });

  test("accepted: the EVM wallet and the EIP-7702 authorization's digest", () => {
    const valid = validateSignAuthorizationRequest(req(), LIMITS);
    expect(valid.wallet.id).toBe(EVM_WALLET.id);
    expect(valid.authorization).toMatchObject({ chainId: 10, contractAddress: CONTRACT, nonce: 3 });
    expect(valid.authorization.digest).toEqual(hashAuthorization({ contractAddress: CONTRACT, chainId: 10, nonce: 3, to: "bytes" }));
  });

  test.each([
    { note: "no session", fields: { session: "" }, want: invalid("session", "required", "REQUIRED") },
    { note: "chain id 0 (every chain)", fields: { chainId: 0n }, want: invalid("chain_id", "required", "REQUIRED") },
    { note: "nonce past 2^53 - 1", fields: { nonce: 2n ** 53n }, want: invalid("nonce", "larger than 2^53 - 1", "OUT_OF_RANGE") },
    { note: "no contract address", fields: { contractAddress: "" }, want: invalid("contract_address", "required", "REQUIRED") },
    {
      note: "a bad checksum",
      fields: { contractAddress: "0xAbCdEf0000000000000000000000000000000000" },
      want: invalid("contract_address", "not a 20-byte 0x-hex address (mixed case must be a valid checksum)", "MALFORMED"),
    },
    { note: "no EVM wallet", fields: { session: SOLANA_ONLY }, want: NOT_FOUND_BY_TYPE },
    { note: "EVM wallet without its signer share", fields: { session: NO_SIGNER }, want: SIGNER_MISSING },
  ])("refused: $note", ({ fields, want }) => {
    expect(refusal(() => validateSignAuthorizationRequest(req(fields), LIMITS))).toEqual(want);
  });
});
