// The local Para backend: an emulator of the Para API (port 8080) and portal (port 3003) that the real,
// unmodified @getpara/server-sdk cannot tell from Para in Environment.DEV. Development and tests only.
import { apiHandler } from "./api-handler.js";
import { Backend } from "./backend.js";
import { DEFAULT_API_PORT, DEFAULT_HOSTS, DEFAULT_PORTAL_PORT, DEFAULT_SESSION_LENGTH_MS } from "./constants.js";
import { listenAll, type Listener } from "./listen.js";
import { portalHandler } from "./portal-handler.js";
import type {
  ApiKeyInfo,
  CreateApiKeyOptions,
  FaultSpec,
  LocalParaOptions,
  LocalParaStats,
  MintOptions,
  MintedSession,
  PendingTransactionInfo,
  RequestCounts,
  RequestCountsFilter,
  SessionRotationSpec,
} from "./types.js";

export { LOCAL_PARA_API_KEY, LOCAL_PARA_API_KEY_ID, LOCAL_PARA_SECRET_API_KEY } from "./constants.js";
export type * from "./types.js";

export interface LocalPara {
  readonly apiUrl: string;
  readonly portalUrl: string;
  readonly defaultKey: ApiKeyInfo;
  createApiKey(opts?: CreateApiKeyOptions): ApiKeyInfo;
  mintSession(opts?: MintOptions): MintedSession;
  revokeSession(sessionCookie: string): void;
  expireSession(sessionCookie: string): void;
  addFault(fault: FaultSpec): string;
  clearFaults(apiKey?: string): void;
  setTransactionReview(walletId: string, required: boolean): void;
  approvePendingTransaction(id: string): void;
  /** The user denies the transaction: the SDK's poll gets 404 and throws TransactionReviewDenied (docs/para-sdk.md §7.5). */
  denyPendingTransaction(id: string): void;
  pendingTransactions(userId: string): PendingTransactionInfo[];
  /** Keep-alive rotates the session cookie (x-capsule-sid response header, docs/para-sdk.md §1). */
  setSessionRotation(spec: SessionRotationSpec): void;
  /** Requests per endpoint of one API key, user or session cookie. */
  requestCounts(filter: RequestCountsFilter): RequestCounts;
  /** A simulated Para policy denies every signing request of the wallet (HTTP 403, code POLICY_DENIED). */
  setPolicyDenial(walletId: string, deny: boolean, deniedBy?: string): void;
  stats(): LocalParaStats;
  stop(): Promise<void>;
}

export async function startLocalPara(opts: LocalParaOptions = {}): Promise<LocalPara> {
  const hosts = opts.hosts ?? DEFAULT_HOSTS;
  // State (and the JWT key) first, so no request can ever reach a half-built backend; the URLs are filled in
  // once the ports are bound (they differ from the requested ones only for port 0).
  const b = await Backend.create(opts.defaultSessionLengthMs ?? DEFAULT_SESSION_LENGTH_MS);
  const api: Listener = await listenAll(apiHandler(b), hosts, opts.apiPort ?? DEFAULT_API_PORT);
  let portal: Listener;
  try {
    portal = await listenAll(portalHandler(b), hosts, opts.portalPort ?? DEFAULT_PORTAL_PORT);
  } catch (e) {
    await api.close();
    throw e;
  }
  const apiUrl = `http://localhost:${api.port}`;
  const portalUrl = `http://localhost:${portal.port}`;
  b.apiUrl = apiUrl;
  b.portalUrl = portalUrl;
  let stopped: Promise<void> | undefined;
  return {
    apiUrl,
    portalUrl,
    defaultKey: { ...b.defaultKey },
    createApiKey: (o) => b.createApiKey(o),
    mintSession: (o) => b.mintSession(o),
    revokeSession: (c) => b.revokeSession(c),
    expireSession: (c) => b.expireSession(c),
    addFault: (f) => b.addFault(f),
    clearFaults: (k) => b.clearFaults(k),
    setTransactionReview: (w, r) => b.setTransactionReview(w, r),
    approvePendingTransaction: (id) => b.approvePendingTransaction(id),
    denyPendingTransaction: (id) => b.denyPendingTransaction(id),
    pendingTransactions: (u) => b.pendingTransactions(u),
    setSessionRotation: (spec) => b.setSessionRotation(spec),
    requestCounts: (f) => b.requestCounts(f),
    setPolicyDenial: (w, d, by) => b.setPolicyDenial(w, d, by),
    stats: () => b.snapshot(),
    stop: () => {
      stopped ??= (async () => {
        b.stopping.abort();
        await Promise.all([api.close(), portal.close()]);
      })();
      return stopped;
    },
  };
}
