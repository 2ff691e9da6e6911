import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { type Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/**
 * The google.rpc details every error of docs/design.md §4 is built from. Only the constructors in src/errors use
 * these: everywhere else an error is made by naming its situation (error-model.ts).
 */

/** The ErrorInfo domain of every reason this service reports. */
export const ERROR_DOMAIN = "para.signer.v1";

/** Every ErrorInfo reason this service reports (a list, so tests can check each has its constructor). */
export const ERROR_REASONS = [
  "SIGNER_MISSING",
  "TRANSACTION_REVIEW_REQUIRED",
  /** The user denied a transaction review (AwaitReview). */
  "REVIEW_DENIED",
  "SESSION_INACTIVE",
  "SESSION_MISMATCH",
  /** A JWT that does not verify (signature, audience, issuer, shape). */
  "JWT_INVALID",
  "JWT_EXPIRED",
  /** Para does not know the verification token, or it expired. */
  "VERIFICATION_TOKEN_INVALID",
  "SIGNING_REFUSED",
  "POLICY_DENIED",
  "SECRET_KEY_NOT_CONFIGURED",
  "JWT_AUDIENCE_NOT_CONFIGURED",
  /** An idempotency key sent again with a different request. */
  "IDEMPOTENCY_KEY_REUSED",
  /** Para answered 429. */
  "PARA_RATE_LIMITED",
  /** This server's own budget toward Para (SIGNER_PARA_MAX_RPS / _MAX_CONCURRENT) refused the call before Para saw it. */
  "PARA_BUDGET_EXHAUSTED",
  "PARA_UNAVAILABLE",
  "CONCURRENCY_LIMIT",
  /** One user already waits on as many reviews (AwaitReview) as this server lets one user wait on at once. */
  "REVIEW_WAITS_EXHAUSTED",
  /** The transport refused a request larger than its RPC accepts, before reading it. */
  "REQUEST_TOO_LARGE",
  /** The process holds as many request bytes as it may (SIGNER_MAX_BUFFERED_BYTES). */
  "BUFFERED_BYTES_LIMIT",
  /** A request body not complete within SIGNER_BODY_READ_TIMEOUT_MS. */
  "BODY_READ_TIMEOUT",
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/**
 * The ErrorInfo metadata key of a pending transaction review's id. One key for every error that carries the id
 * (review required, denied, still pending), so a client reads it the same way from each.
 */
export const PENDING_TRANSACTION_ID_KEY = "pendingTransactionId";

type Detail = NonNullable<ConstructorParameters<typeof ConnectError>[3]>[number];

export function errorInfo(reason: ErrorReason, metadata: Record<string, string> = {}): Detail {
  return { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN, metadata }) };
}

/** When the caller may try again. */
export function retryInfo(retryDelayMs: number): Detail {
  return { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(retryDelayMs) } };
}

/**
 * An error with an ErrorInfo reason.
 * @deprecated outside src/errors: use the constructor named for the situation (error-model.ts).
 */
export function withReason(code: Code, message: string, reason: ErrorReason, metadata: Record<string, string> = {}, cause?: unknown): ConnectError {
  return new ConnectError(message, code, undefined, [errorInfo(reason, metadata)], cause);
}

/**
 * A retryable failure (UNAVAILABLE or RESOURCE_EXHAUSTED) with an ErrorInfo reason and a RetryInfo hint.
 * @deprecated outside src/errors: use the constructor named for the situation (error-model.ts).
 */
export function retryable(
  code: Code.Unavailable | Code.ResourceExhausted,
  message: string,
  reason: ErrorReason,
  retryDelayMs: number,
  cause?: unknown,
): ConnectError {
  return new ConnectError(message, code, undefined, [errorInfo(reason), retryInfo(retryDelayMs)], cause);
}
