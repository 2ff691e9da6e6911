// The emulator's state and operations, independent of HTTP: the in-process API and the /_local/ admin routes both
// call these methods, so the two can never drift apart.
import { Faults } from "./faults.js";
import { createJwtIssuer, type JwtIssuer } from "./jwt.js";
import { mintedSession } from "./session-export.js";
import { SigningState } from "./signing-state.js";
import { Stats } from "./stats.js";
import { Store } from "./store.js";
import { LOCAL_PARA_API_KEY, LOCAL_PARA_API_KEY_ID, LOCAL_PARA_PARTNER_ID, LOCAL_PARA_SECRET_API_KEY } from "./constants.js";
import type {
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
} from "./types.js";

export class BadRequest extends Error {}
/** A request that contradicts the state it acts on (e.g. approving a denied transaction): HTTP 409 on the admin API. */
export class Conflict extends Error {}

/** How long a cookie replaced by a rotation keeps working unless a test says otherwise: calls in flight with it finish. */
const DEFAULT_ROTATION_GRACE_MS = 60_000;

export class Backend {
  readonly store: Store;
  readonly faults: Faults;
  readonly stats = new Stats();
  readonly signing = new SigningState();
  readonly defaultKey: ApiKeyInfo;
  /** Aborted by stop(): ends injected latencies so shutdown is prompt. */
  readonly stopping = new AbortController();

  /** Set by startLocalPara once the ports are bound; baked into the worker bundle and partner portalUrl. */
  apiUrl = "http://localhost:8080";
  portalUrl = "http://localhost:3003";

  private constructor(
    readonly jwt: JwtIssuer,
    defaultSessionLengthMs: number,
  ) {
    this.store = new Store(defaultSessionLengthMs);
    this.faults = new Faults(this.stopping.signal);
    this.defaultKey = this.store.addKey({
      apiKey: LOCAL_PARA_API_KEY,
      apiKeyId: LOCAL_PARA_API_KEY_ID,
      secretApiKey: LOCAL_PARA_SECRET_API_KEY,
      partnerId: LOCAL_PARA_PARTNER_ID,
      sessionLengthMs: defaultSessionLengthMs,
    });
  }

  static async create(defaultSessionLengthMs: number): Promise<Backend> {
    return new Backend(await createJwtIssuer(), defaultSessionLengthMs);
  }

  createApiKey(opts: CreateApiKeyOptions = {}): ApiKeyInfo {
    const len = opts.sessionLengthMs;
    if (len !== undefined && (!Number.isFinite(len) || len <= 0)) throw new BadRequest("sessionLengthMs must be > 0");
    return { ...this.store.createKey(opts) };
  }

  mintSession(opts: MintOptions = {}): MintedSession {
    const key = this.store.keys.get(opts.apiKey ?? LOCAL_PARA_API_KEY);
    if (key === undefined) throw new BadRequest("unknown apiKey");
    const user = opts.userId !== undefined ? this.store.users.get(opts.userId) : this.store.createUser(key.partnerId, { email: opts.email, phone: opts.phone });
    if (user === undefined || user.partnerId !== key.partnerId) throw new BadRequest("unknown userId for this apiKey");
    const session = this.store.createSession(user, key);
    return mintedSession(user, session, opts.excludeSigners === true);
  }

  revokeSession(sessionCookie: string): void {
    const s = this.store.sessions.get(sessionCookie);
    if (s === undefined) throw new BadRequest("unknown session");
    s.revoked = true;
  }

  expireSession(sessionCookie: string): void {
    const s = this.store.sessions.get(sessionCookie);
    if (s === undefined) throw new BadRequest("unknown session");
    s.expiresAt = Math.min(s.expiresAt, Date.now() - 1);
  }

  addFault(spec: FaultSpec): string {
    try {
      return this.faults.add(spec);
    } catch (e) {
      throw new BadRequest((e as Error).message);
    }
  }

  clearFaults(apiKey?: string): void {
    this.faults.clear(apiKey);
  }

  setTransactionReview(walletId: string, required: boolean): void {
    if (!this.store.wallets.has(walletId)) throw new BadRequest("unknown walletId");
    this.signing.setReview(walletId, required);
  }

  /** A simulated Para policy denies (or stops denying) every signing request of this wallet. */
  setPolicyDenial(walletId: string, deny: boolean, deniedBy?: string): void {
    if (!this.store.wallets.has(walletId)) throw new BadRequest("unknown walletId");
    this.signing.setPolicyDenial(walletId, deny, deniedBy);
  }

  approvePendingTransaction(id: string): void {
    const outcome = this.signing.approve(id);
    if (outcome === "unknown") throw new BadRequest("unknown pending transaction");
    if (outcome === "conflict") throw new Conflict("the pending transaction was denied");
  }

  /** The user denies the transaction: the SDK's poll then fails (TransactionReviewDenied), and it never signs. */
  denyPendingTransaction(id: string): void {
    const outcome = this.signing.deny(id);
    if (outcome === "unknown") throw new BadRequest("unknown pending transaction");
    if (outcome === "conflict") throw new Conflict("the pending transaction was approved");
  }

  /** A user's pending transactions and where each stands, so a test can find the one its call is waiting on. */
  pendingTransactions(userId: string): PendingTransactionInfo[] {
    return this.signing.pendingOf(userId).map((p) => ({
      id: p.id,
      userId: p.userId,
      walletId: p.walletId,
      state: p.deniedAt !== null ? "denied" : p.consumed ? "consumed" : p.approvedAt !== null ? "approved" : "pending",
      createdAt: p.createdAt,
      approvedAt: p.approvedAt,
      deniedAt: p.deniedAt,
    }));
  }

  /** Makes keep-alive rotate the cookie of one session (whichever of its cookies is named) or of a user's sessions. */
  setSessionRotation(spec: SessionRotationSpec): void {
    const graceMs = spec.graceMs ?? DEFAULT_ROTATION_GRACE_MS;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new BadRequest("graceMs must be >= 0");
    if ("sessionCookie" in spec) {
      const s = this.store.sessions.get(spec.sessionCookie);
      if (s === undefined) throw new BadRequest("unknown session");
      if (spec.enabled) s.rotationGraceMs = graceMs;
      else delete s.rotationGraceMs;
      return;
    }
    if (!this.store.users.has(spec.userId)) throw new BadRequest("unknown userId");
    this.store.setUserRotation(spec.userId, spec.enabled ? graceMs : undefined);
  }

  requestCounts(filter: RequestCountsFilter): RequestCounts {
    return this.stats.requestCounts(filter);
  }

  snapshot(): LocalParaStats {
    return this.stats.snapshot({
      faultsApplied: this.faults.applied,
      activeSessions: this.store.activeSessionCount(),
      users: this.store.users.size,
    });
  }
}
