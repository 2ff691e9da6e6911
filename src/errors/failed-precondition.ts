import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfo, PENDING_TRANSACTION_ID_KEY, retryInfo, withReason } from "./error-details.js";

/** FAILED_PRECONDITION (docs/design.md §4): the request is sound, but something must change before it can succeed. */

/** The chosen wallet's signer share is not in the session (it was exported without signers). */
export function signerMissing(): ConnectError {
  return withReason(Code.FailedPrecondition, "session was exported without signers", "SIGNER_MISSING");
}

/** Para asks the user to review the request first; AwaitReview waits for the decision. */
export function reviewRequired(pendingTransactionId: string): ConnectError {
  return withReason(Code.FailedPrecondition, "para requires the user to review this request", "TRANSACTION_REVIEW_REQUIRED", {
    [PENDING_TRANSACTION_ID_KEY]: pendingTransactionId,
  });
}

/**
 * Para refused this signer's job (it crashed the SDK's signing worker while running alone), or the signer is held
 * after such a refusal: RetryInfo says when the hold ends. Not worth retrying at once.
 */
export function signingRefused(retryAfterMs: number, cause?: unknown): ConnectError {
  return new ConnectError(
    "para refused the signing job for this wallet; retry later",
    Code.FailedPrecondition,
    undefined,
    [errorInfo("SIGNING_REFUSED"), retryInfo(Math.max(retryAfterMs, 1))],
    cause,
  );
}

/** The verify RPCs need PARA_SECRET_API_KEY, which this server was not given. */
export function secretKeyNotConfigured(): ConnectError {
  return withReason(Code.FailedPrecondition, "PARA_SECRET_API_KEY is not configured on this server", "SECRET_KEY_NOT_CONFIGURED");
}

/** Para answered 401 to the secret API key during `what` ("session verify", "wallet verify"): it is not a valid one. */
export function secretKeyRefused(what: string): ConnectError {
  return withReason(Code.FailedPrecondition, `para ${what}: the secret API key was refused`, "SECRET_KEY_NOT_CONFIGURED");
}

/** JWT verification needs PARA_JWT_AUDIENCE, which this server was not given. */
export function jwtAudienceNotConfigured(): ConnectError {
  return withReason(Code.FailedPrecondition, "PARA_JWT_AUDIENCE is not configured on this server", "JWT_AUDIENCE_NOT_CONFIGURED");
}

/** An idempotency key sent again with a different request (the key is never echoed). */
export function idempotencyKeyReused(): ConnectError {
  return withReason(Code.FailedPrecondition, "idempotency key was already used with a different request", "IDEMPOTENCY_KEY_REUSED");
}
