/**
 * Limits of the per-process idempotency store. The lead reads them from the environment into src/config/config.ts;
 * these are the defaults.
 */
export interface IdempotencyOptions {
  /** How long a success is remembered after it completed. Privy keeps keys 24 h, Stripe at least 24 h. */
  readonly ttlMs: number;
  /** Most entries held at once (remembered results plus runs in flight). Each costs about 300 bytes of bookkeeping. */
  readonly maxEntries: number;
  /** Most bytes of remembered responses held at once. A single response larger than this is answered but not remembered. */
  readonly maxBytes: number;
}

/**
 * 24 h like Privy. 100 000 entries and 64 MiB: a signing response is a few hundred bytes (a few KiB with
 * `return_session`), so a day of one signature a second per replica (86 400 results) fits before anything is evicted, and the
 * worst case stays a small share of a container's memory. An evicted result makes a later retry sign again, so size
 * these to the retry window callers need, not below it.
 */
export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = {
  ttlMs: 24 * 60 * 60 * 1000,
  maxEntries: 100_000,
  maxBytes: 64 * 1024 * 1024,
};

/** Throws when a limit is not a positive safe integer (a zero or NaN limit would silently disable the store). */
export function checkIdempotencyOptions(options: IdempotencyOptions): IdempotencyOptions {
  for (const name of ["ttlMs", "maxEntries", "maxBytes"] as const) {
    const value = options[name];
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`idempotency option ${name} must be a positive integer`);
  }
  return options;
}
