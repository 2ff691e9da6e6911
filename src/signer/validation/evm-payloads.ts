import type { Address, TransactionSerializable, TypedDataDefinition } from "viem";
// viem/utils, not the root: the root entry also loads clients, chains and actions (~10 MB more per process).
import { hashAuthorization, hashTypedData, isAddress, parseTransaction, serializeTransaction, toHex } from "viem/utils";
import { invalidArgument } from "../../errors/error-model.js";

/**
 * Pure checks of the EVM payloads of SignTransaction, SignTypedData and SignAuthorization (evm-requests.ts checks
 * the requests around them). Every parse and hash is viem's; nothing is decoded by hand. Errors are
 * INVALID_ARGUMENT with a BadRequest field violation that names the field and never echoes a value (viem's own
 * error messages quote the input, so they are never passed on).
 */

export interface EvmLimits {
  /** The largest transaction or typed-data JSON accepted, in bytes (the server's message size limit). */
  maxMessageBytes: number;
}

export type EvmEnvelope = "legacy" | "eip2930" | "eip1559" | "eip7702";

export interface ValidEvmTransaction {
  /** The parsed transaction, without a signature. */
  transaction: TransactionSerializable;
  envelope: EvmEnvelope;
  /** The caller's bytes, which are exactly viem's serialization of `transaction` (canonical). */
  serialized: Uint8Array;
  chainId: number;
}

/** The envelope types signed here, by their first byte (a legacy transaction is an RLP list: 0xc0 and above). */
const TYPED_ENVELOPES: Record<number, EvmEnvelope> = { 1: "eip2930", 2: "eip1559", 4: "eip7702" };

/** A chain id or nonce the service accepts: viem counts these as JavaScript numbers. */
function safeNumber(field: string, value: bigint, required: boolean): number {
  if (required && value === 0n) throw invalidArgument(field, "required", "REQUIRED");
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument(field, "larger than 2^53 - 1", "OUT_OF_RANGE");
  return Number(value);
}

/**
 * An unsigned serialized EVM transaction for `chain_id`: a legacy EIP-155 transaction (nine fields, the chain id in
 * the seventh and zeros for r and s), or an EIP-2930, EIP-1559 or EIP-7702 envelope without its signature fields.
 * A legacy transaction without a chain id (valid on every chain, replayable) is refused, as is any envelope viem
 * would not serialize back to the same bytes: what Para's policies see, what is hashed and what is signed are the
 * caller's bytes exactly.
 */
export function validateEvmTransaction(req: { unsignedTransaction: Uint8Array; chainId: bigint }, limits: EvmLimits): ValidEvmTransaction {
  const bytes = req.unsignedTransaction;
  if (bytes.length === 0) throw invalidArgument("unsigned_transaction", "required", "REQUIRED");
  if (bytes.length > limits.maxMessageBytes) {
    throw invalidArgument("unsigned_transaction", `larger than ${limits.maxMessageBytes} bytes`, "TOO_LARGE");
  }
  const chainId = safeNumber("chain_id", req.chainId, true);
  const first = bytes[0] as number;
  const expected: EvmEnvelope | undefined = first >= 0xc0 ? "legacy" : TYPED_ENVELOPES[first];
  if (!expected) {
    throw invalidArgument("unsigned_transaction", "not a legacy, EIP-2930, EIP-1559 or EIP-7702 transaction", "UNSUPPORTED_TYPE");
  }
  const hex = toHex(bytes);
  let parsed: TransactionSerializable;
  try {
    parsed = parseTransaction(hex) as TransactionSerializable;
  } catch {
    throw invalidArgument("unsigned_transaction", "not a well-formed transaction", "MALFORMED");
  }
  if (parsed.type !== expected) throw invalidArgument("unsigned_transaction", "not a well-formed transaction", "MALFORMED");
  const signed = parsed as { r?: unknown; s?: unknown; v?: unknown; yParity?: unknown };
  if (signed.r !== undefined || signed.s !== undefined || signed.v !== undefined || signed.yParity !== undefined) {
    throw invalidArgument("unsigned_transaction", "already carries a signature", "ALREADY_SIGNED");
  }
  if (parsed.chainId === undefined) {
    throw invalidArgument("unsigned_transaction", "a legacy transaction must be EIP-155 (carry its chain id)", "NO_CHAIN_ID");
  }
  if (parsed.chainId !== chainId) throw invalidArgument("chain_id", "does not match the transaction's chain id", "CHAIN_MISMATCH");
  let canonical: string;
  try {
    canonical = serializeTransaction(parsed);
  } catch {
    throw invalidArgument("unsigned_transaction", "not a well-formed transaction", "MALFORMED");
  }
  if (canonical !== hex) throw invalidArgument("unsigned_transaction", "not canonically encoded", "NOT_CANONICAL");
  return { transaction: parsed, envelope: expected, serialized: bytes, chainId };
}

export interface ValidTypedData {
  /** The EIP-712 digest, 32 bytes. */
  digest: Uint8Array;
  /** The JSON's length in bytes (for telemetry). */
  length: number;
}

/**
 * EIP-712 typed data as eth_signTypedData_v4 takes it. "types" may list EIP712Domain or not: viem's hashTypedData
 * uses the listed one, or derives it from the domain's fields (the same digest for the usual domains).
 */
export function validateTypedData(req: { typedDataJson: string }, limits: EvmLimits): ValidTypedData {
  const text = req.typedDataJson;
  if (text.length === 0) throw invalidArgument("typed_data_json", "required", "REQUIRED");
  const length = Buffer.byteLength(text, "utf8");
  if (length > limits.maxMessageBytes) throw invalidArgument("typed_data_json", `larger than ${limits.maxMessageBytes} bytes`, "TOO_LARGE");
  let doc: unknown;
  let unsafeNumber = false;
  try {
    // A JSON number beyond 2^53 may already have been rounded by the parser: what would be signed is then not what
    // the caller wrote. Such integers must be strings (as wallets and viem write them).
    doc = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) unsafeNumber = true;
      return value;
    });
  } catch {
    throw invalidArgument("typed_data_json", "not JSON", "NOT_JSON");
  }
  if (unsafeNumber) {
    throw invalidArgument("typed_data_json", "integers beyond 2^53 - 1 must be written as strings", "UNSAFE_NUMBER");
  }
  if (!isObject(doc)) throw invalidArgument("typed_data_json", "not a JSON object", "NOT_TYPED_DATA");
  const { domain, types, primaryType, message } = doc;
  if (!isObject(types) || typeof primaryType !== "string" || (domain !== undefined && !isObject(domain))) {
    throw invalidArgument("typed_data_json", 'needs "types" (object), "primaryType" (string) and "domain" (object)', "NOT_TYPED_DATA");
  }
  if (primaryType !== "EIP712Domain" && !isObject(message)) {
    throw invalidArgument("typed_data_json", '"message" must be an object', "NOT_TYPED_DATA");
  }
  let digest: string;
  try {
    digest = hashTypedData({ domain, types, primaryType, message } as TypedDataDefinition);
  } catch {
    // Unknown primaryType, invalid type names, values that do not fit their types, too deep: viem's message would
    // quote the offending value, so only the kind of failure is said.
    throw invalidArgument("typed_data_json", "typed data does not hash (check primaryType, types and values)", "NOT_HASHABLE");
  }
  return { digest: new Uint8Array(Buffer.from(digest.slice(2), "hex")), length };
}

export interface ValidAuthorization {
  chainId: number;
  contractAddress: Address;
  nonce: number;
  /** keccak256(0x05 || rlp([chain_id, address, nonce])), 32 bytes. */
  digest: Uint8Array;
}

/**
 * An EIP-7702 authorization. chain_id 0 (valid on every chain) is refused: a delegation that can be replayed on
 * any chain is not something to sign on a caller's word. The address must be 0x + 40 hex digits; a mixed-case one
 * must carry a valid EIP-55 checksum.
 */
export function validateAuthorization(req: { chainId: bigint; contractAddress: string; nonce: bigint }): ValidAuthorization {
  const chainId = safeNumber("chain_id", req.chainId, true);
  const nonce = safeNumber("nonce", req.nonce, false);
  if (req.contractAddress.length === 0) throw invalidArgument("contract_address", "required", "REQUIRED");
  if (req.contractAddress.length !== 42 || !isAddress(req.contractAddress, { strict: true })) {
    throw invalidArgument("contract_address", "not a 20-byte 0x-hex address (mixed case must be a valid checksum)", "MALFORMED");
  }
  const contractAddress = req.contractAddress as Address;
  const digest = hashAuthorization({ contractAddress, chainId, nonce, to: "bytes" });
  return { chainId, contractAddress, nonce, digest };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
