import { createHash } from "node:crypto";
import { invalidArgument } from "../errors/error-model.js";

/**
 * Decodes and validates an exported Para session (docs/para-sdk.md §3.1) before the
 * SDK sees it: the SDK validates nothing and can be left half-mutated by a
 * malformed one. The SDK is then given a canonical re-encoding built only
 * from the validated fields, never the caller's bytes.
 *
 * Unknown top-level keys are accepted and dropped: the SDK ignores keys it
 * does not know, and the canonical re-encoding carries only validated fields,
 * so nothing unvalidated reaches the SDK; refusing them would only break
 * sessions exported by a newer SDK that adds a field.
 */

export type SessionWalletType = "EVM" | "SOLANA" | "COSMOS";
export type SessionWalletScheme = "DKLS" | "CGGMP" | "ED25519";

export interface SessionWallet {
  id: string;
  type: SessionWalletType;
  scheme: SessionWalletScheme;
  address: string;
  publicKey: string;
  hasSigner: boolean;
}

export interface SessionAuthInfo {
  authType: string;
  identifier: string;
  oAuthMethod: string;
}

export interface ValidSession {
  userId: string;
  auth: SessionAuthInfo | undefined;
  /** Wallets in the session's own order. */
  wallets: SessionWallet[];
  /**
   * base64 of the canonical session JSON, for `importSession`. Built on first read: a call refused before the
   * SDK (a held session, a bad message) never pays for the re-encoding.
   */
  readonly canonical: string;
  /**
   * A hash of the session's cookie: names this session (for remembering that it was refused) without holding
   * the secret. Never logged.
   */
  key: string;
}

const WALLET_TYPES: readonly string[] = ["EVM", "SOLANA", "COSMOS"];
const WALLET_SCHEMES: readonly string[] = ["DKLS", "CGGMP", "ED25519"];
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/**
 * Bounds on the shape of one session, not caller-facing limits: the limit a caller meets is the session's size
 * (SIGNER_MAX_SESSION_BYTES, config); these only keep a session within it from being made of one absurd part
 * (thousands of wallets, a megabyte-long id). Every session Para exports sits far inside them.
 */
const MAX_WALLETS = 64;
const MAX_FIELD_CHARS = 1024;
const MAX_SIGNER_CHARS = 48 * 1024;

class Invalid extends Error {}

export function decodeSession(session: string, maxBytes: number): ValidSession {
  if (session.length === 0) throw invalidArgument("session", "required", "REQUIRED");
  if (session.length > maxBytes) throw invalidArgument("session", `larger than ${maxBytes} bytes`, "TOO_LARGE");
  try {
    return validate(parseJson(decodeBase64(session.trim())));
  } catch (error) {
    if (error instanceof Invalid) throw invalidArgument("session", error.message, "MALFORMED");
    throw error;
  }
}

function decodeBase64(text: string): string {
  const standard = /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
  const url = /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1;
  if (!standard && !url) throw new Invalid("not base64");
  const bytes = Buffer.from(text, standard ? "base64" : "base64url");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Invalid("not UTF-8 text");
  }
}

/**
 * A key can spell `__proto__`, `constructor` or `prototype` only literally or
 * through `\u` escapes (JSON has no other escape for letters), so text
 * without either parses on the fast path; the rest goes through a reviver
 * that refuses those keys at any depth. The reviver costs several times the
 * plain parse, on every call.
 */
const MAY_HOLD_FORBIDDEN_KEY = new RegExp([...FORBIDDEN_KEYS, "\\\\u"].join("|"));

function parseJson(text: string): unknown {
  try {
    if (!MAY_HOLD_FORBIDDEN_KEY.test(text)) return JSON.parse(text);
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new Invalid("forbidden key");
      return value;
    });
  } catch (error) {
    if (error instanceof Invalid) throw error;
    throw new Invalid("not JSON");
  }
}

function validate(doc: unknown): ValidSession {
  const root = record(doc, "not a JSON object");
  const userId = text(root["userId"], "userId");
  const sessionCookie = text(root["sessionCookie"], "sessionCookie");
  const walletsIn = record(root["wallets"], "wallets is not an object");
  const ids = Object.keys(walletsIn);
  if (ids.length === 0) throw new Invalid("no wallets");
  if (ids.length > MAX_WALLETS) throw new Invalid("too many wallets");

  const canonicalWallets: Record<string, Record<string, string>> = {};
  const wallets: SessionWallet[] = [];
  for (const id of ids) {
    const w = record(walletsIn[id], "wallet is not an object");
    if (text(w["id"], "wallet id") !== id) throw new Invalid("wallet id does not match its key");
    const type = oneOf(w["type"], WALLET_TYPES, "wallet type") as SessionWalletType;
    const scheme = oneOf(w["scheme"], WALLET_SCHEMES, "wallet scheme") as SessionWalletScheme;
    if ((type === "SOLANA") !== (scheme === "ED25519")) throw new Invalid("wallet scheme does not fit its type");
    if (w["userId"] !== undefined && text(w["userId"], "wallet userId") !== userId) throw new Invalid("wallet of another user");
    const address = text(w["address"], "wallet address");
    // Optional: an absent or empty public key is the same thing, and stays out of the canonical form.
    const publicKey = w["publicKey"] === undefined || w["publicKey"] === "" ? "" : text(w["publicKey"], "wallet publicKey");
    const signer = w["signer"] === undefined || w["signer"] === "" ? undefined : text(w["signer"], "wallet signer", MAX_SIGNER_CHARS);
    wallets.push({ id, type, scheme, address, publicKey, hasSigner: signer !== undefined });
    canonicalWallets[id] = { id, type, scheme, address, ...(publicKey ? { publicKey } : {}), userId, ...(signer ? { signer } : {}) };
  }

  validateExternalWallets(root["externalWallets"]);
  const currentWalletIds = validateCurrentWalletIds(root["currentWalletIds"], wallets);
  const auth = validateAuthInfo(root["authInfo"]);
  let encoded: string | undefined;
  const canonical = {
    ...(auth ? { authInfo: auth.raw } : {}),
    userId,
    wallets: canonicalWallets,
    currentWalletIds,
    sessionCookie,
    externalWallets: {},
  };
  return {
    userId,
    auth: auth?.info,
    wallets,
    get canonical() {
      return (encoded ??= Buffer.from(JSON.stringify(canonical)).toString("base64"));
    },
    key: createHash("sha256").update(sessionCookie).digest("base64url").slice(0, 22),
  };
}

/**
 * Absent or `{}` only: this service signs with embedded wallets' signer shares
 * and does not support external-wallet sessions. They are also where the SDK
 * trusts the blob most: a session with only external wallets is
 * CONNECTION_ONLY, for which isSessionActive answers true without asking Para
 * (docs/para-sdk.md §4), and findWalletId takes any external wallet as usable with
 * no ownership check (§6). The canonical form always carries `{}`, so a value
 * here is refused rather than dropped silently: the caller learns that the
 * session is not one this service can act on.
 */
function validateExternalWallets(value: unknown): void {
  if (value === undefined) return;
  const wallets = record(value, "externalWallets is not an object");
  if (Object.keys(wallets).length > 0) throw new Invalid("externalWallets is not supported (must be empty)");
}

/** `{ [type]: walletId[] }`, each id a wallet of that type; `{}` is rebuilt from the wallets, as the SDK does. */
function validateCurrentWalletIds(value: unknown, wallets: SessionWallet[]): Record<string, string[]> {
  const input = record(value ?? {}, "currentWalletIds is not an object");
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(input)) {
    if (!WALLET_TYPES.includes(type)) throw new Invalid("currentWalletIds has an unknown wallet type");
    if (!Array.isArray(ids) || ids.length > MAX_WALLETS) throw new Invalid("currentWalletIds entry is not a list");
    out[type] = ids.map((id) => {
      const wallet = wallets.find((w) => w.id === id);
      if (!wallet) throw new Invalid("currentWalletIds names a wallet not in the session");
      return wallet.id;
    });
  }
  if (Object.keys(out).length > 0) return out;
  for (const w of wallets) (out[w.type] ??= []).push(w.id);
  return out;
}

function validateAuthInfo(value: unknown): { info: SessionAuthInfo; raw: Record<string, unknown> } | undefined {
  if (value === undefined || value === null) return undefined;
  const info = record(value, "authInfo is not an object");
  const authType = text(info["authType"], "authType");
  const identifier = text(info["identifier"], "identifier");
  const oAuthMethod = info["oAuthMethod"] === undefined ? "" : text(info["oAuthMethod"], "oAuthMethod");
  const auth = record(info["auth"] ?? {}, "auth is not an object");
  const authFields: Record<string, string> = {};
  for (const [key, v] of Object.entries(auth)) authFields[key] = text(v, "auth field");
  return {
    info: { authType, identifier, oAuthMethod },
    raw: { auth: authFields, authType, identifier, ...(oAuthMethod ? { oAuthMethod } : {}) },
  };
}

function record(value: unknown, problem: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Invalid(problem);
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string, max = MAX_FIELD_CHARS): string {
  if (typeof value !== "string" || value.length === 0) throw new Invalid(`${field} is not a non-empty string`);
  if (value.length > max) throw new Invalid(`${field} is too long`);
  return value;
}

function oneOf(value: unknown, allowed: readonly string[], field: string): string {
  if (typeof value !== "string" || !allowed.includes(value)) throw new Invalid(`${field} is not one of ${allowed.join(", ")}`);
  return value;
}
