// Wallet key material, split MPC-style. The user's share travels in the exported session as `wallet.signer`; the
// emulator keeps the other share. The private key exists only transiently while both shares are combined to sign,
// so a leaked session without the server (or the server without a session) signs nothing.
//   secp256k1: d = a + b mod n        ed25519: seed = clientShare XOR serverShare
import { randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { base58Encode } from "../encoding/base58.js";
import type { WalletType } from "./types.js";

const N = secp256k1.Point.Fn.ORDER;

export type Scheme = "DKLS" | "ED25519";

export interface GeneratedWallet {
  type: WalletType;
  scheme: Scheme;
  address: string;
  publicKey: string;
  /** The opaque string handed to the user (wallet.signer). */
  clientShare: string;
  /** Kept by the emulator only. */
  serverShare: Uint8Array;
}

/** What the opaque signer string decodes to; `w` binds the share to its wallet. */
interface ShareEnvelope {
  v: 1;
  scheme: Scheme;
  w: string;
  share: string;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const toBig = (b: Uint8Array): bigint => BigInt(`0x${hex(b)}`);
const fromBig = (n: bigint): Uint8Array => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

function randomScalar(): bigint {
  for (;;) {
    const n = toBig(randomBytes(32));
    if (n > 0n && n < N) return n;
  }
}

function encodeShare(env: ShareEnvelope): string {
  return Buffer.from(JSON.stringify(env)).toString("base64");
}

/** Decodes a signer string; returns undefined for anything that is not one of ours. */
export function decodeShare(signer: unknown): ShareEnvelope | undefined {
  if (typeof signer !== "string" || signer.length === 0 || signer.length > 4096) return undefined;
  try {
    const env = JSON.parse(Buffer.from(signer, "base64").toString("utf8")) as Partial<ShareEnvelope>;
    if (env.v !== 1 || (env.scheme !== "DKLS" && env.scheme !== "ED25519")) return undefined;
    if (typeof env.w !== "string" || typeof env.share !== "string" || !/^[0-9a-f]{64}$/.test(env.share)) return undefined;
    return env as ShareEnvelope;
  } catch {
    return undefined;
  }
}

export function evmAddress(uncompressedPub: Uint8Array): string {
  const lower = hex(keccak_256(uncompressedPub.subarray(1)).subarray(12));
  const digest = hex(keccak_256(new TextEncoder().encode(lower)));
  let out = "0x";
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i] as string;
    out += parseInt(digest[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

export function generateWallet(walletId: string, type: WalletType): GeneratedWallet {
  if (type === "EVM") {
    const d = randomScalar();
    const a = randomScalar();
    const b = (((d - a) % N) + N) % N;
    const pub = secp256k1.getPublicKey(fromBig(d), false);
    return {
      type,
      scheme: "DKLS",
      address: evmAddress(pub),
      publicKey: hex(pub),
      clientShare: encodeShare({ v: 1, scheme: "DKLS", w: walletId, share: hex(fromBig(a)) }),
      serverShare: fromBig(b),
    };
  }
  const seed = randomBytes(32);
  const client = randomBytes(32);
  const server = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) server[i] = (seed[i] as number) ^ (client[i] as number);
  const pub = ed25519.getPublicKey(seed);
  return {
    type,
    scheme: "ED25519",
    address: base58Encode(pub),
    publicKey: hex(pub),
    clientShare: encodeShare({ v: 1, scheme: "ED25519", w: walletId, share: hex(client) }),
    serverShare: new Uint8Array(server),
  };
}

/**
 * Combines both shares and signs. EVM: `message` must be exactly 32 bytes (a digest); returns hex r‖s‖v (130
 * chars, no 0x) with v the raw recovery id 0/1. ED25519: returns base64 of the 64-byte signature.
 */
export function signWithShares(scheme: Scheme, clientShareHex: string, serverShare: Uint8Array, message: Uint8Array): string {
  const client = Buffer.from(clientShareHex, "hex");
  if (scheme === "DKLS") {
    if (message.length !== 32) throw new Error(`EVM signing needs a 32-byte digest, got ${message.length} bytes`);
    const d = (toBig(client) + toBig(serverShare)) % N;
    const sig = secp256k1.sign(message, fromBig(d), { prehash: false, format: "recovered", lowS: true });
    // noble's "recovered" layout is v‖r‖s; Para's worker answers r‖s‖v.
    return hex(sig.subarray(1)) + hex(sig.subarray(0, 1));
  }
  const seed = new Uint8Array(32);
  for (let i = 0; i < 32; i++) seed[i] = (client[i] as number) ^ (serverShare[i] as number);
  return Buffer.from(ed25519.sign(message, seed)).toString("base64");
}
