import { Code } from "@connectrpc/connect";
import { sessionMismatch } from "../errors/error-model.js";
import type { ParaSessionCheck, ParaWallet } from "./para-sdk.js";
import type { SessionWallet, ValidSession } from "./session-codec.js";

/**
 * Confirms who a session belongs to, with Para's answers only.
 *
 * An exported session is written by a client app, so whoever holds it can rewrite it: its `userId`, `authInfo`
 * and wallet entries prove nothing. What Para confirms is: the user its session check names for the session's
 * cookie, that user's wallets as Para lists them, and (with the secret API key) the auth info Para verifies for
 * the session's verification token. A blob that contradicts any of these is refused (UNAUTHENTICATED,
 * SESSION_MISMATCH) before anything acts on it; answers are built from Para's data, never the blob's.
 *
 * Para's wallet list costs a round trip, so it is cached per Para-confirmed user id (and verified auth per
 * Para-issued verification token) for at most `ttlMs`: each answer for a time drawn at random between
 * (1 − `spread`)·`ttlMs` and `ttlMs`, so answers fetched together (after a restart, or a burst of traffic after a
 * quiet spell) are not refreshed together every `ttlMs` from then on, in bursts on Para's rate budget and on the
 * calls of one moment. Nothing the caller wrote is ever a cache key. The cache can only
 * confirm: a blob that disagrees with a cached answer older than `refreshAfterMs` is checked against a fresh one
 * before it is refused, so a wallet created a moment ago is not refused, and a forger cannot make every call
 * refetch.
 */

export interface VerifiedAuth {
  authType: string;
  identifier: string;
  oAuthMethod: string;
  /** The user Para names for the verification token ("" when Para does not say). */
  userId: string;
}

export interface ConfirmedIdentity {
  userId: string;
  /** Para's list of the user's wallets. */
  wallets: ParaWallet[];
  /** Para's verified auth info; undefined when it was not asked for or no secret API key is configured. */
  auth: VerifiedAuth | undefined;
}

/** The Para round trips identity needs, each run under the calling request's bounds and error mapping. */
export interface IdentitySource {
  fetchWallets(): Promise<ParaWallet[]>;
  /** Para's verdict on a verification token; absent when this server cannot ask (no secret API key). */
  verifyToken?: (token: string) => Promise<VerifiedAuth>;
}

export interface SessionIdentityOptions {
  /** How long Para's answers are reused; 0 disables the cache. */
  ttlMs: number;
  /** Entries kept per cache at most (oldest dropped first). */
  maxEntries?: number;
  /** A cached answer younger than this is trusted even when the blob disagrees (no refetch). */
  refreshAfterMs?: number;
  /** Share of `ttlMs` by which each answer's expiry may come earlier, at random (0.5: between ttlMs/2 and ttlMs). */
  spread?: number;
  now?: () => number;
  /** Uniform in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

interface Cached<T> {
  value: T;
  at: number;
  /** When it is no longer used (at + ttlMs, less up to `spread` of it). */
  until: number;
}

/** By default an answer's expiry may come up to half the cache time earlier. */
const DEFAULT_SPREAD = 0.5;

export class SessionIdentity {
  private readonly wallets = new Map<string, Cached<ParaWallet[]>>();
  private readonly auths = new Map<string, Cached<VerifiedAuth>>();
  /** Fetches in progress, so concurrent calls for one user cost Para one round trip, not one each. */
  private readonly pendingWallets = new Map<string, Promise<ParaWallet[]>>();
  private readonly pendingAuths = new Map<string, Promise<VerifiedAuth>>();
  private readonly maxEntries: number;
  private readonly refreshAfterMs: number;
  private readonly spread: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: SessionIdentityOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.refreshAfterMs = options.refreshAfterMs ?? 1_000;
    this.spread = Math.min(Math.max(options.spread ?? DEFAULT_SPREAD, 0), 1);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Checks the blob against Para and returns Para's view of the session's user. `check` is Para's answer to the
   * session check (already made by the caller, who needed it anyway); it must say the session is active.
   * `withAuth` asks for Para's auth info even when the blob carries none (CheckSession reports it).
   */
  async confirm(session: ValidSession, check: ParaSessionCheck, source: IdentitySource, withAuth: boolean): Promise<ConfirmedIdentity> {
    const userId = check.userId;
    if (!userId || userId !== session.userId) throw settled(sessionMismatch("user"));
    // Both questions at once: on a cache miss the call waits one extra round trip, not two.
    const [wallets, auth] = await Promise.all([
      this.confirmedWallets(userId, session.wallets, source),
      withAuth || session.auth ? this.confirmedAuth(userId, check.verificationToken, session, source) : undefined,
    ]);
    return { userId, wallets, auth };
  }

  private async confirmedWallets(userId: string, claimed: SessionWallet[], source: IdentitySource): Promise<ParaWallet[]> {
    const cached = this.fresh(this.wallets, userId);
    if (cached) {
      if (walletsMatch(claimed, cached.value)) return cached.value;
      // A young answer stands as it is: a blob that disagrees with it cannot make every call refetch. Such a
      // refusal is not settled (the list may predate a wallet created a moment ago), so it is not remembered.
      if (this.now() - cached.at < this.refreshAfterMs) throw sessionMismatch("wallets");
    }
    const { value: listed, own } = await this.shared(this.pendingWallets, userId, () => source.fetchWallets());
    this.remember(this.wallets, userId, listed);
    if (!walletsMatch(claimed, listed)) throw own ? settled(sessionMismatch("wallets")) : sessionMismatch("wallets");
    return listed;
  }

  private async confirmedAuth(userId: string, token: string | undefined, session: ValidSession, source: IdentitySource): Promise<VerifiedAuth | undefined> {
    const verifyToken = source.verifyToken;
    if (!token || !verifyToken) return undefined;
    let verified = this.fresh(this.auths, token)?.value;
    if (!verified) {
      verified = (await this.shared(this.pendingAuths, token, () => verifyToken(token))).value;
      this.remember(this.auths, token, verified);
    }
    if (verified.userId && verified.userId !== userId) throw settled(sessionMismatch("user"));
    const claimed = session.auth;
    if (claimed && (claimed.authType !== verified.authType || claimed.identifier !== verified.identifier)) {
      throw settled(sessionMismatch("auth"));
    }
    return verified;
  }

  /**
   * Round trips Para may be asked for on this call, as far as can be told before Para names the user: none when
   * the user the session claims has a cached wallet list. Only an estimate for rate admission (the claim is the
   * caller's), never a decision about trust.
   */
  expectedRoundTrips(session: ValidSession, withAuth: boolean, canVerifyTokens: boolean): number {
    if (this.fresh(this.wallets, session.userId)) return 0;
    return 1 + ((withAuth || session.auth) && canVerifyTokens ? 1 : 0);
  }

  /**
   * Joins a fetch already in progress for `key`, or starts one. A joiner whose shared fetch was cut short by its
   * starter's own deadline or cancellation asks again itself.
   */
  private async shared<T>(pending: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<{ value: T; own: boolean }> {
    const running = pending.get(key);
    if (running) {
      try {
        return { value: await running, own: false };
      } catch (error) {
        // What failed the starter may be its own (its deadline, or its session refused): ask again for this call.
        const code = (error as { code?: unknown }).code;
        if (code !== Code.Canceled && code !== Code.DeadlineExceeded && code !== Code.Unauthenticated) throw error;
      }
    }
    const fetch = start();
    pending.set(key, fetch);
    try {
      return { value: await fetch, own: true };
    } finally {
      if (pending.get(key) === fetch) pending.delete(key);
    }
  }

  private fresh<T>(cache: Map<string, Cached<T>>, key: string): Cached<T> | undefined {
    if (this.options.ttlMs <= 0) return undefined;
    const entry = cache.get(key);
    if (!entry) return undefined;
    if (this.now() > entry.until) {
      cache.delete(key);
      return undefined;
    }
    return entry;
  }

  private remember<T>(cache: Map<string, Cached<T>>, key: string, value: T): void {
    if (this.options.ttlMs <= 0) return;
    cache.delete(key);
    const at = this.now();
    cache.set(key, { value, at, until: at + this.options.ttlMs * (1 - this.spread * this.random()) });
    // Maps iterate in insertion order: the first key is the oldest.
    while (cache.size > this.maxEntries) cache.delete(cache.keys().next().value as string);
  }
}

const settledRefusals = new WeakSet<object>();

/** Marks a mismatch decided on Para's own answer to this call: the session is refused again if it comes back. */
function settled<E extends object>(error: E): E {
  settledRefusals.add(error);
  return error;
}

/**
 * Whether a SESSION_MISMATCH was decided on Para's answer to this very call (and so may be remembered against the
 * session), rather than on a cached or shared answer that might predate a wallet created a moment ago.
 */
export function isSettledRefusal(error: unknown): boolean {
  return typeof error === "object" && error !== null && settledRefusals.has(error);
}

/** Every wallet the blob names is one Para lists for the user, with the same type, scheme, address and key. */
export function walletsMatch(claimed: SessionWallet[], listed: ParaWallet[]): boolean {
  const byId = new Map(listed.map((w) => [w.id, w]));
  return claimed.every((c) => {
    const p = byId.get(c.id);
    if (!p) return false;
    if (p.type !== c.type) return false;
    if (p.scheme && p.scheme !== c.scheme) return false;
    if (!sameAddress(c.type, c.address, p.address)) return false;
    return !c.publicKey || !p.publicKey || sameKey(c.publicKey, p.publicKey);
  });
}

/** EVM addresses compare without their checksum casing; other chains' encodings are case-sensitive. */
function sameAddress(type: string, a: string, b: string): boolean {
  return type === "EVM" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Public keys are hex with or without 0x (compared case-insensitively), or another encoding compared exactly. */
function sameKey(a: string, b: string): boolean {
  const hex = (k: string) => (/^(0x)?[0-9a-fA-F]+$/.test(k) ? k.replace(/^0x/, "").toLowerCase() : k);
  return hex(a) === hex(b);
}
