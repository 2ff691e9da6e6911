/**
 * The errors of docs/design.md §4, one constructor per situation, grouped by code in the files re-exported here.
 * Messages are short, lower-case, name the field or the step, and never carry a value from the request or from
 * Para. Outside src/errors nothing builds one of these errors by hand (`new ConnectError`, `withReason`): it names
 * the situation instead, so the same situation always answers the same code, reason and details.
 */

export { ERROR_DOMAIN, ERROR_REASONS, type ErrorReason, PENDING_TRANSACTION_ID_KEY, retryable, withReason } from "./error-details.js";
export { invalidArgument } from "./invalid-argument.js";
export {
  jwtExpired,
  jwtInvalid,
  sessionInactive,
  sessionMismatch,
  sessionNotExtended,
  sessionRefusedByPara,
  unauthenticated,
  verificationTokenInvalid,
} from "./unauthenticated.js";
export {
  idempotencyKeyReused,
  jwtAudienceNotConfigured,
  reviewRequired,
  secretKeyNotConfigured,
  secretKeyRefused,
  signerMissing,
  signingRefused,
} from "./failed-precondition.js";
export { policyDenied, reviewDenied } from "./permission-denied.js";
export { addressNotFound, pendingTransactionNotFound, walletNotFound } from "./not-found.js";
export {
  bufferedBytesExhausted,
  jwksUnavailable,
  paraBudgetExhausted,
  paraRateLimited,
  paraUnavailable,
  requestTooLarge,
  serverAtConcurrencyLimit,
  serverShuttingDown,
  signingWorkerStopped,
  signingWorkerUnavailable,
  reviewWaitsExhausted,
} from "./retryable.js";
export { bodyReadTimedOut, callCancelled, callerDeadlinePassed, paraTimedOut, reviewStillPending } from "./deadline.js";
export { internalError, paraAnswerMalformed, paraFailed, unverifiedSignature } from "./internal.js";
