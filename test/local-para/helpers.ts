// Shared helpers of the local Para backend tests: real SDK instances, signature checks, worker cleanup.
import { createRequire } from "node:module";
import { createPublicKey, verify } from "node:crypto";
import { Para as ParaServer, Environment } from "@getpara/server-sdk";
import { recoverAddress, type Hex } from "viem";
import type { MintedSession, MintedWallet } from "../../src/local-para/types.js";
import { installConsoleGuard } from "../../src/telemetry/console-guard.js";
import { createLogger } from "../../src/telemetry/logger.js";

// These tests drive the real SDK in the test process, and in DEV it dumps its state to the console on every
// transition: route it where the service routes it (the logger's debug level), here a silent one, so the test
// output says what the tests found and nothing else.
installConsoleGuard(createLogger("silent"));

export const API_URL = "http://localhost:8080";

/** A fresh SDK instance with the minted session imported, as the service does per call. */
export async function importedPara(minted: MintedSession, session = minted.session): Promise<ParaServer> {
  const para = new ParaServer(Environment.DEV, minted.apiKey);
  await para.importSession(session);
  return para;
}

export function wallet(minted: MintedSession, type: MintedWallet["type"]): MintedWallet {
  const w = minted.wallets.find((x) => x.type === type);
  if (w === undefined) throw new Error(`no ${type} wallet`);
  return w;
}

/** Recovers the signer of a worker-format EVM signature (r‖s‖v hex, v = 0/1 or 27/28) over a 32-byte digest. */
export async function recoverEvm(digest: Uint8Array, signature: string): Promise<string> {
  const v = parseInt(signature.slice(128, 130), 16);
  const fixed = (v < 27 ? v + 27 : v).toString(16);
  return recoverAddress({ hash: `0x${Buffer.from(digest).toString("hex")}` as Hex, signature: `0x${signature.slice(0, 128)}${fixed}` as Hex });
}

/** Verifies a base64 ed25519 signature with a hex public key (node:crypto, raw key wrapped in SPKI). */
export function verifyEd25519(message: Uint8Array, signatureB64: string, publicKeyHex: string): boolean {
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKeyHex, "hex")]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  return verify(null, message, key, Buffer.from(signatureB64, "base64"));
}

export const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64");

/** The SDK's signing worker keeps the process alive forever (docs/para-sdk.md §2.3); end it so the vitest fork exits. */
export function resetSdkWorker(): void {
  const require = createRequire(import.meta.url);
  const wrapper = require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as { resetWorker(): void };
  wrapper.resetWorker();
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${API_URL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed };
}
