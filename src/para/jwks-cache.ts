import { createLocalJWKSet } from "jose";

/**
 * Para's JWT signing keys, cached. jose's createRemoteJWKSet refetches when
 * its cache ages out and fails every verification while that fetch fails, and
 * does not share one fetch between concurrent callers; this cache does what
 * the service needs instead:
 *
 * - stale on error: keys fetched successfully keep verifying for up to
 *   `maxStaleMs` (24 h) after their last successful refresh, however long
 *   Para's JWKS is unreachable. Past `freshMs` (10 min) a refresh starts in
 *   the background and verification goes on with the cached keys meanwhile.
 *   24 h is long enough to ride out any outage of Para's JWKS, short enough
 *   that a key Para withdrew stops working within a day even if the service
 *   never reaches Para again (Para rotates keys far less often);
 * - single-flight: at most one fetch is in progress; every caller that needs
 *   one waits for that same fetch;
 * - cool-down: a fetch is never started within `unknownKeyCooldownMs` (30 s)
 *   of a successful one, nor within a growing cool-down after a failed one
 *   (5 s, doubling per consecutive failure, up to 5 min). So no call pattern
 *   (unknown kids, bursts, an outage) turns into one fetch per call.
 *
 * A failure to get keys is `JwksUnavailable`, which carries how long until the
 * next fetch may start (for RetryInfo); the verifier maps it to UNAVAILABLE.
 */

/** Any fetch taking a URL string (the traced `telemetry.fetchFor("jwks")`, or the global one). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;
export type KeySet = ReturnType<typeof createLocalJWKSet>;

export interface JwksCachePolicy {
  /** Past this age (since the last successful refresh) a refresh starts in the background. */
  freshMs: number;
  /** Past this age the cached keys are no longer used: verification needs a successful fetch. */
  maxStaleMs: number;
  /** After a successful fetch, no other starts for this long (an unknown kid waits it out). */
  unknownKeyCooldownMs: number;
  /** After the n-th consecutive failed fetch, none starts for min(initial * 2^(n-1), max). */
  failureCooldownInitialMs: number;
  failureCooldownMaxMs: number;
}

export const DEFAULT_JWKS_POLICY: JwksCachePolicy = {
  freshMs: 10 * 60_000,
  maxStaleMs: 24 * 3_600_000,
  unknownKeyCooldownMs: 30_000,
  failureCooldownInitialMs: 5_000,
  failureCooldownMaxMs: 5 * 60_000,
};

export interface JwksCacheOptions {
  url: string;
  /** Bound on one fetch, headers and body. */
  timeoutMs: number;
  fetch: Fetch;
  policy?: Partial<JwksCachePolicy>;
  /** The clock, in milliseconds; tests move it. */
  now?: () => number;
}

export interface JwksStats {
  /** Fetches started, successful or not. */
  fetches: number;
  /** Fetches that failed (network, timeout, non-200, not a key set). */
  failures: number;
  /** Keys in the cached set (0 before the first successful fetch). */
  keys: number;
}

/** The keys could not be had; `retryAfterMs` is how long until a fetch may be tried again. */
export class JwksUnavailable extends Error {
  override name = "JwksUnavailable";
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Largest key set accepted; Para's holds a handful of keys. */
const MAX_JWKS_BYTES = 256 * 1024;

export class JwksCache {
  private readonly policy: JwksCachePolicy;
  private readonly now: () => number;
  private keys: KeySet | undefined;
  private keyCount = 0;
  private refreshedAt = 0;
  private lastFetchOk = true;
  private consecutiveFailures = 0;
  /** No fetch starts before this time. */
  private nextFetchAt = 0;
  private inflight: Promise<KeySet> | undefined;
  private fetches = 0;
  private failures = 0;

  constructor(private readonly options: JwksCacheOptions) {
    this.policy = { ...DEFAULT_JWKS_POLICY, ...options.policy };
    this.now = options.now ?? Date.now;
  }

  stats(): JwksStats {
    return { fetches: this.fetches, failures: this.failures, keys: this.keyCount };
  }

  /** The key set to verify with: the cached one while usable, else the result of a (shared) fetch. */
  async current(): Promise<KeySet> {
    const age = this.now() - this.refreshedAt;
    if (this.keys && age <= this.policy.maxStaleMs) {
      if (age > this.policy.freshMs) this.refreshInBackground();
      return this.keys;
    }
    return this.refresh();
  }

  /**
   * A token named a key the cached set lacks (Para may have rotated): a newly
   * fetched set, or undefined when the set was fetched successfully within
   * the cool-down, so it is current and the key simply unknown. Throws
   * JwksUnavailable while fetches fail: the key may exist, it cannot be known.
   */
  async refetchForUnknownKey(): Promise<KeySet | undefined> {
    if (!this.inflight && this.now() < this.nextFetchAt && this.lastFetchOk) return undefined;
    return this.refresh();
  }

  private refreshInBackground(): void {
    if (this.inflight || this.now() < this.nextFetchAt) return;
    // Its failure is recorded (cool-down, stats); the callers carry on with the cached keys.
    this.refresh().catch(() => undefined);
  }

  private refresh(): Promise<KeySet> {
    if (this.inflight) return this.inflight;
    const wait = this.nextFetchAt - this.now();
    if (wait > 0) return Promise.reject(new JwksUnavailable("para jwks unavailable", wait));
    const inflight = this.fetchKeySet().finally(() => {
      this.inflight = undefined;
    });
    this.inflight = inflight;
    return inflight;
  }

  private async fetchKeySet(): Promise<KeySet> {
    this.fetches++;
    try {
      const res = await this.options.fetch(this.options.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`jwks answered ${res.status}`);
      }
      const text = await res.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error("jwks too large");
      const json = JSON.parse(text) as unknown;
      const keys = createLocalJWKSet(json as Parameters<typeof createLocalJWKSet>[0]); // throws unless a key set
      this.keys = keys;
      this.keyCount = (json as { keys: unknown[] }).keys.length;
      this.refreshedAt = this.now();
      this.lastFetchOk = true;
      this.consecutiveFailures = 0;
      this.nextFetchAt = this.refreshedAt + this.policy.unknownKeyCooldownMs;
      return keys;
    } catch (error) {
      this.failures++;
      this.consecutiveFailures++;
      this.lastFetchOk = false;
      const cooldown = failureCooldownMs(this.consecutiveFailures, this.policy);
      this.nextFetchAt = this.now() + cooldown;
      throw new JwksUnavailable("para jwks unavailable", cooldown, { cause: error });
    }
  }
}

/** The cool-down after the `failures`-th consecutive failed fetch: doubling from the initial value, capped. */
export function failureCooldownMs(failures: number, policy: Pick<JwksCachePolicy, "failureCooldownInitialMs" | "failureCooldownMaxMs">): number {
  const doublings = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.failureCooldownInitialMs * 2 ** doublings, policy.failureCooldownMaxMs);
}
