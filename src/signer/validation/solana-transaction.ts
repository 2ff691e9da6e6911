// The building blocks of @solana/kit (same maintainers and version), without the RPC clients kit also loads.
import type { Address } from "@solana/addresses";
import type { SignatureBytes } from "@solana/keys";
import { getCompiledTransactionMessageDecoder, getCompiledTransactionMessageEncoder } from "@solana/transaction-messages";
import { getTransactionDecoder, getTransactionEncoder, type Transaction } from "@solana/transactions";
import { invalidArgument } from "../../errors/error-model.js";

/**
 * Pure checks of a Solana wire transaction (solana-request.ts checks the request around it), and the signed
 * transaction built back from it. The wire format is decoded with @solana/kit's codecs only; nothing by hand.
 * Errors are INVALID_ARGUMENT with a field violation and never echo a value.
 */

export interface ValidSolanaTransaction {
  transaction: Transaction;
  /** The message bytes the signers sign. */
  messageBytes: Uint8Array;
  version: "legacy" | "v0";
  /** The required signers (the message's first header.numSignerAccounts account keys), in slot order. */
  signers: string[];
  length: number;
}

/**
 * A Solana wire transaction (legacy or v0): shortvec of 64-byte signatures, then the message. Signature slots may be
 * zero. The bytes must decode and encode back to themselves (no trailing bytes, a signature per required signer).
 */
export function validateSolanaTransaction(bytes: Uint8Array, maxBytes: number): ValidSolanaTransaction {
  if (bytes.length === 0) throw invalidArgument("transaction", "required", "REQUIRED");
  if (bytes.length > maxBytes) throw invalidArgument("transaction", `larger than ${maxBytes} bytes`, "TOO_LARGE");
  let transaction: Transaction;
  let version: "legacy" | "v0";
  let signers: string[];
  try {
    transaction = getTransactionDecoder().decode(bytes);
    const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
    if (message.version !== "legacy" && message.version !== 0) throw new Error("unsupported version");
    version = message.version === 0 ? "v0" : "legacy";
    const reencoded = getCompiledTransactionMessageEncoder().encode(message);
    if (!sameBytes(reencoded, transaction.messageBytes)) throw new Error("not canonical");
    if (!sameBytes(getTransactionEncoder().encode(transaction), bytes)) throw new Error("not canonical");
    signers = message.staticAccounts.slice(0, message.header.numSignerAccounts);
    const slots = Object.keys(transaction.signatures);
    if (slots.length !== signers.length || slots.some((s, i) => s !== signers[i])) throw new Error("signature slots do not match");
  } catch {
    throw invalidArgument("transaction", "not a well-formed legacy or v0 wire transaction", "MALFORMED");
  }
  return { transaction, messageBytes: new Uint8Array(transaction.messageBytes), version, signers, length: bytes.length };
}

/** The request field that chose the signing wallet: the caller's wallet_id, or else the transaction. */
export type SignerField = "wallet_id" | "transaction";

/** Checks that `address` is one of the transaction's required signers; `field` names what chose the wallet. */
export function requireSigner(tx: ValidSolanaTransaction, address: string, field: SignerField): void {
  if (!tx.signers.includes(address)) {
    throw invalidArgument(field, "the wallet is not one of the transaction's required signers", "NOT_A_SIGNER");
  }
}

/** The wire transaction with `signature` in `address`'s slot, every other slot as given. */
export function withSignature(tx: ValidSolanaTransaction, address: string, signature: Uint8Array): Uint8Array {
  const signatures = { ...tx.transaction.signatures, [address as Address]: signature as SignatureBytes };
  return new Uint8Array(getTransactionEncoder().encode({ ...tx.transaction, signatures }));
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
