// The emulator's state and operations, independent of HTTP: the in-process API and the /_local/ admin routes both
// call these methods, so the two can never drift apart.
import { Faults } from "./faults.js";
import { createJwtIssuer, type JwtIssuer } from "./jwt.js";
import { mintedSession } from "./session-export.js";
import { SigningState } from "./signing-state.js";
import { Stats } from "./stats.js";
import { Store } from "./store.js";
import { LOCAL_PARA_API_KEY, LOCAL_PARA_API_KEY_ID, LOCAL_PARA_PARTNER_ID, LOCAL_PARA_SECRET_API_KEY } from "./constants.js";
import type { ApiKeyInfo, CreateApiKeyOptions, FaultSpec, LocalParaStats, MintOptions, MintedSession } from "./types.js";

export class BadRequest extends Error {}

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
    if (!this.signing.approve(id)) throw new BadRequest("unknown pending transaction");
  }

  snapshot(): LocalParaStats {
    return this.stats.snapshot({
      faultsApplied: this.faults.applied,
      activeSessions: this.store.activeSessionCount(),
      users: this.store.users.size,
    });
  }
}
