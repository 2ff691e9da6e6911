import { base58Encode } from "../encoding/base58.js";
import type { SessionWalletType } from "../para/session-codec.js";

export interface EncodedSignature {
  bytes: Uint8Array;
  encoded: string;
}

/**
 * Normalises what the signing worker returned: EVM/Cosmos as hex r‖s‖v with
 * v in {0, 1} or {27, 28}, Solana as base64. EVM comes back as 65 bytes with
 * v in {27, 28}, 0x-hex encoded; Cosmos as 64 bytes r‖s, base64; Solana as 64
 * bytes, base58.
 */
export function encodeSignature(type: SessionWalletType, raw: string): EncodedSignature {
  if (type === "SOLANA") {
    const bytes = new Uint8Array(Buffer.from(raw, "base64"));
    if (bytes.length !== 64) throw new Error("ed25519 signature is not 64 bytes");
    return { bytes, encoded: base58Encode(bytes) };
  }
  const hex = raw.startsWith("0x") ? raw.slice(2) : raw;
  if (!/^[0-9a-fA-F]{130}$/.test(hex)) throw new Error("secp256k1 signature is not 65 bytes of hex");
  const bytes = new Uint8Array(Buffer.from(hex, "hex"));
  const v = bytes[64] ?? 0;
  if (v !== 0 && v !== 1 && v !== 27 && v !== 28) throw new Error("secp256k1 signature has an invalid recovery id");
  if (type === "COSMOS") {
    const rs = bytes.slice(0, 64);
    return { bytes: rs, encoded: Buffer.from(rs).toString("base64") };
  }
  bytes[64] = v < 27 ? v + 27 : v;
  return { bytes, encoded: `0x${Buffer.from(bytes).toString("hex")}` };
}
