// Shared types of the local Para backend: the in-process API (index.ts), the admin HTTP API, the test admin client
// and the CLI all speak these shapes, so they live in one dependency-free module.

export interface LocalParaOptions {
  /** API port (Environment.DEV pins 8080). 0 picks a free port (tests of the emulator itself). */
  apiPort?: number;
  /** Portal port (Environment.DEV pins 3003). */
  portalPort?: number;
  /** Loopback addresses to bind; an address the machine lacks (e.g. ::1 without IPv6) is skipped. */
  hosts?: string[];
  /** Session length for keys created without one (the default key included). */
  defaultSessionLengthMs?: number;
}

export interface ApiKeyInfo {
  apiKey: string;
  apiKeyId: string;
  secretApiKey: string;
  partnerId: string;
  sessionLengthMs: number;
}

export interface CreateApiKeyOptions {
  sessionLengthMs?: number;
}

export interface MintOptions {
  apiKey?: string;
  email?: string;
  phone?: string;
  excludeSigners?: boolean;
  /** Mint a new session for an existing user (same wallets) instead of a new user. */
  userId?: string;
}

export type WalletType = "EVM" | "SOLANA";

export interface MintedWallet {
  id: string;
  type: WalletType;
  address: string;
  /** EVM: uncompressed secp256k1 key, hex "04…" (no 0x). SOLANA: the 32-byte ed25519 key as hex (no 0x). */
  publicKey: string;
}

export interface MintedSession {
  /** base64(JSON) exactly as ParaServer.exportSession() produces it (docs/para-sdk.md §3.1), signers included unless excluded. */
  session: string;
  sessionWithoutSigners: string;
  verificationToken: string;
  userId: string;
  email?: string;
  phone?: string;
  apiKey: string;
  sessionCookie: string;
  wallets: MintedWallet[];
}

export type FaultEndpoint =
  | "touch"
  | "partner"
  | "logout"
  | "keepAlive"
  | "wallets"
  | "jwt"
  | "jwks"
  | "messagesSign"
  | "transactionsSign"
  | "mpcSign"
  | "sessionsVerify"
  | "walletsVerify"
  | "errorsSdk"
  | "bundle"
  | "wasm";

/** Every endpoint the emulator counts; the fault-injectable ones plus the review-flow extras. */
export type EndpointName = FaultEndpoint | "pendingTransaction" | "supportedAuthMethods" | "primeWorker";

export interface FaultSpec {
  endpoint: FaultEndpoint;
  /** Scope: only requests carrying this x-external-api-key (for sessionsVerify/walletsVerify: this key's secret). */
  apiKey?: string;
  /** Scope: only requests whose path names this user (/users/:userId/…), e.g. one user's presign. */
  userId?: string;
  latencyMs?: number;
  status?: number;
  body?: unknown;
  hang?: boolean;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** mpcSign only: the worker job throws, crashing the SDK's worker thread. */
  crashWorker?: boolean;
  /** Apply to the next N matching requests, then expire. Unset: until cleared. */
  times?: number;
}

export interface LocalParaStats {
  /** Requests per endpoint, all keys together. */
  requests: Partial<Record<EndpointName, number>>;
  /** Requests per API key (x-external-api-key as sent; for verify endpoints the owning public key), per endpoint. */
  byApiKey: Record<string, Partial<Record<EndpointName, number>>>;
  bundleFetches: number;
  wasmFetches: number;
  signatures: number;
  faultsApplied: number;
  activeSessions: number;
  users: number;
}

/** Whose requests to count: one API key, one user, or one session cookie (as sent in x-capsule-sid). */
export type RequestCountsFilter = { apiKey: string } | { userId: string } | { sessionCookie: string };

/**
 * Requests per endpoint of one API key, user or session cookie, and their sum. A request counts for a user when
 * its x-capsule-sid is one of the user's cookies (replaced ones included) or, failing that, when its path names the
 * user (/users/{userId}/…). Requests with neither (e.g. the touches of a new SDK instance before importSession,
 * the partner fetch, the portal downloads) count only for their API key.
 */
export interface RequestCounts {
  requests: Partial<Record<EndpointName, number>>;
  total: number;
}

/** A pending transaction as the admin API lists it (never its message). */
export interface PendingTransactionInfo {
  id: string;
  userId: string;
  walletId: string;
  state: "pending" | "approved" | "denied" | "consumed";
  createdAt: string;
  approvedAt: string | null;
  deniedAt: string | null;
}

/** Rotation on keep-alive, for one session (any of its cookies) or one user's sessions. */
export type SessionRotationSpec = ({ sessionCookie: string } | { userId: string }) & {
  enabled: boolean;
  /** How long a replaced cookie keeps working; default 60 s, so calls in flight with it finish. */
  graceMs?: number;
};

export interface AddFaultResult {
  id: string;
}
