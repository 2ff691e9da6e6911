import { keccak_256 } from "@noble/hashes/sha3.js";
import { invalidArgument } from "../../errors/error-model.js";
import type { SessionWalletType } from "../../para/session-codec.js";

export type Format = "RAW" | "EIP191";

/**
 * Turns the caller's message into the exact bytes the wallet signs
 * (docs/design.md §3): secp256k1 wallets sign a 32-byte digest (RAW must already be
 * one; EIP191 hashes the prefixed message), Solana signs raw bytes.
 */
export function bytesToSign(type: SessionWalletType, format: Format, message: Uint8Array, maxBytes: number): Uint8Array {
  if (message.length === 0) throw invalidArgument("message", "required", "REQUIRED");
  if (message.length > maxBytes) throw invalidArgument("message", `larger than ${maxBytes} bytes`, "TOO_LARGE");
  if (type === "SOLANA") {
    if (format === "EIP191") throw invalidArgument("format", "EIP191 applies to EVM wallets only", "UNSUPPORTED");
    return message;
  }
  if (format === "EIP191") {
    if (type !== "EVM") throw invalidArgument("format", "EIP191 applies to EVM wallets only", "UNSUPPORTED");
    return eip191Digest(message);
  }
  if (message.length !== 32) throw invalidArgument("message", "RAW secp256k1 signing takes a 32-byte digest", "NOT_A_DIGEST");
  return message;
}

/** keccak256("\x19Ethereum Signed Message:\n" + len(message) + message), as personal_sign does. */
export function eip191Digest(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  const data = new Uint8Array(prefix.length + message.length);
  data.set(prefix);
  data.set(message, prefix.length);
  return keccak_256(data);
}
