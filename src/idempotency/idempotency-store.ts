import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Idempotency keys on the signing RPCs (issue 16; Stripe-style semantics, Privy's 24 h retention): a retry with the
 * same key and the same request gets the first answer again instead of a second signature.
 *
 * What is remembered: only SUCCESSES, as the response's serialized bytes (the caller passes
 * `toBinary(schema, response)` and decodes a replay with `fromBinary`), so a replay is byte-identical to the first
 * answer. No failure is remembered, neither the retryable ones (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED,
 * CANCELLED, INTERNAL: the caller must be able to retry with the same key) nor the definitive refusals
 * (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION, UNAUTHENTICATED). Why not the refusals, where
 * Stripe keeps them: a Stripe call can fail after a side effect, so replaying its failure is the safe answer; a
 * signing call that fails delivered no signature, so running it again cannot sign twice. And some refusals are lifted
 * without the request changing: after TRANSACTION_REVIEW_REQUIRED the documented flow is to re-send the same request
 * once the user approved (a remembered refusal would answer it forever), a policy can be changed, a SIGNING_REFUSED
 * hold ends. A refusal that depends on the request alone (INVALID_ARGUMENT) is answered the same on a re-run anyway.
 *
 * Duplicates in flight: a call that finds the same key running with the same fingerprint waits for that run. If it
 * succeeds, the duplicate gets its bytes. If it fails definitively (see `isDefinitiveFailure`), the duplicate gets the
 * same error: it is the same request at the same moment, and running it again would, for example, open a second
 * transaction review. If it fails in a way worth retrying, the duplicate runs its own `work` as if it had come first:
 * the usual reason is that the first caller gave up (its deadline or cancellation aborted its work) and this
 * duplicate is its retry, which must not inherit a CANCELLED it did not ask for.
 */
export interface IdempotencyStore {
  /**
   * Runs `work` at most once at a time per (scope, key) and remembers its success.
   *
   * - `scope` is the Para-confirmed user id: keys of different users never meet.
   * - `key` is the caller's idempotency key (validated by `readIdempotencyKey`); a store keeps only a hash of
   *   (scope, key), never the key, and never puts it in an error.
   * - `fingerprint` identifies the request (`requestFingerprint`): the same key with another fingerprint, remembered or
   *   in flight, throws `idempotencyKeyReused()` (FAILED_PRECONDITION, reason IDEMPOTENCY_KEY_REUSED) and `work` does
   *   not run.
   * - `signal` is this caller's (Connect's `HandlerContext.signal`): when it aborts, this call stops waiting and throws
   *   CANCELLED (or the ConnectError the signal carries, e.g. DEADLINE_EXCEEDED). A `work` already started keeps
   *   running (it is bound to its own caller's signal, not to the store) and its outcome is still recorded.
   * - `work` produces the serialized response. It runs under the caller that started it.
   *
   * Resolves to the response bytes: the ones `work` produced, or a copy of the remembered ones.
   */
  run(scope: string, key: string, fingerprint: string, signal: AbortSignal, work: () => Promise<Uint8Array>): Promise<Uint8Array>;

  /** Sizes and counters, for metrics and tests. Carries no key, scope or fingerprint. */
  stats(): IdempotencyStoreStats;
}

export interface IdempotencyStoreStats {
  /** Entries held: remembered results plus runs in flight. */
  readonly entries: number;
  /** Runs in flight (never evicted; they hold no bytes yet). */
  readonly inFlight: number;
  /** Bytes of remembered responses held. */
  readonly bytes: number;
  /** Remembered results dropped before their time to keep within maxEntries / maxBytes (a later retry runs again). */
  readonly evicted: number;
  /** Remembered results dropped because their time ran out. */
  readonly expired: number;
}

/**
 * Codes that mean "the same request would be refused the same way now": a duplicate that waited for a run ending
 * with one of these gets the same error. Everything else (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED,
 * CANCELLED, INTERNAL, UNKNOWN, ABORTED, DATA_LOSS, and errors that are not ConnectErrors) is worth retrying, so the
 * waiting duplicate runs its own work instead. Neither kind is remembered after the run.
 */
const DEFINITIVE_CODES: ReadonlySet<Code> = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.Unimplemented,
  Code.Unauthenticated,
]);

export function isDefinitiveFailure(error: unknown): boolean {
  return error instanceof ConnectError && DEFINITIVE_CODES.has(error.code);
}
