// Typed client of the local Para backend's /_local/ admin API. Tests run in vitest worker processes while the
// backend lives in the globalSetup process, so they drive it over HTTP.
import type {
  AddFaultResult,
  ApiKeyInfo,
  CreateApiKeyOptions,
  FaultSpec,
  LocalParaStats,
  MintOptions,
  MintedSession,
  PendingTransactionInfo,
  RequestCounts,
  RequestCountsFilter,
  SessionRotationSpec,
} from "../../src/local-para/types.js";

export const LOCAL_PARA_API_URL = process.env["LOCAL_PARA_API_URL"] ?? "http://localhost:8080";

async function call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${LOCAL_PARA_API_URL}/_local/${path}`, {
    method,
    ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`local Para admin ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export const localPara = {
  health: () => call<{ ok: boolean }>("GET", "health"),
  createApiKey: (opts: CreateApiKeyOptions = {}) => call<ApiKeyInfo>("POST", "api-keys", opts),
  mintSession: (opts: MintOptions = {}) => call<MintedSession>("POST", "sessions", opts),
  revokeSession: async (sessionCookie: string) => void (await call("POST", "sessions/revoke", { sessionCookie })),
  expireSession: async (sessionCookie: string) => void (await call("POST", "sessions/expire", { sessionCookie })),
  addFault: async (fault: FaultSpec) => (await call<AddFaultResult>("POST", "faults", fault)).id,
  clearFaults: async (apiKey?: string) => void (await call("DELETE", apiKey === undefined ? "faults" : `faults?apiKey=${encodeURIComponent(apiKey)}`)),
  setTransactionReview: async (walletId: string, required: boolean) => void (await call("POST", "wallets/review", { walletId, required })),
  setPolicyDenial: async (walletId: string, deny: boolean, deniedBy?: string) =>
    void (await call("POST", "wallets/policy", { walletId, deny, ...(deniedBy !== undefined ? { deniedBy } : {}) })),
  approvePendingTransaction: async (id: string) => void (await call("POST", "pending-transactions/approve", { id })),
  denyPendingTransaction: async (id: string) => void (await call("POST", "pending-transactions/deny", { id })),
  /** The user's pending transactions with their state (pending, approved, denied, consumed), oldest first. */
  pendingTransactions: async (userId: string) =>
    (await call<{ pendingTransactions: PendingTransactionInfo[] }>("GET", `pending-transactions?userId=${encodeURIComponent(userId)}`)).pendingTransactions,
  /** Keep-alive of that session (or of the user's sessions) answers with a new cookie in x-capsule-sid. */
  setSessionRotation: async (spec: SessionRotationSpec) => void (await call("POST", "sessions/rotate-on-keep-alive", spec)),
  stats: () => call<LocalParaStats>("GET", "stats"),
  /** Requests per endpoint of one API key, user or session cookie: unaffected by test files running in parallel. */
  requestCounts: (filter: RequestCountsFilter) => call<RequestCounts>("GET", `stats/requests?${new URLSearchParams(filter as Record<string, string>)}`),
};
