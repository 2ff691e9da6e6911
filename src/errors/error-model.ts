import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/**
 * Constructors for the errors of docs/design.md §4. Messages are short, lower-case,
 * name the field, and never carry a value from the request or from Para.
 */

/** The ErrorInfo domain of every reason this service reports. */
export const ERROR_DOMAIN = "para.signer.v1";

export type ErrorReason =
  | "SIGNER_MISSING"
  | "TRANSACTION_REVIEW_REQUIRED"
  | "SESSION_INACTIVE"
  | "SESSION_MISMATCH"
  /** A JWT that does not verify (signature, audience, issuer, shape). */
  | "JWT_INVALID"
  | "JWT_EXPIRED"
  /** Para does not know the verification token, or it expired. */
  | "VERIFICATION_TOKEN_INVALID"
  | "SIGNING_REFUSED"
  | "POLICY_DENIED"
  | "SECRET_KEY_NOT_CONFIGURED"
  | "JWT_AUDIENCE_NOT_CONFIGURED"
  /** Para answered 429. */
  | "PARA_RATE_LIMITED"
  /** This server's own budget toward Para (SIGNER_PARA_MAX_RPS / _MAX_CONCURRENT) refused the call before Para saw it. */
  | "PARA_BUDGET_EXHAUSTED"
  | "PARA_UNAVAILABLE"
  | "CONCURRENCY_LIMIT";

export function invalidArgument(field: string, description: string, reason = "INVALID"): ConnectError {
  return new ConnectError(`invalid ${field}: ${description}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field, description, reason }] } },
  ]);
}

export function withReason(code: Code, message: string, reason: ErrorReason, metadata: Record<string, string> = {}, cause?: unknown): ConnectError {
  return new ConnectError(message, code, undefined, [errorInfo(reason, metadata)], cause);
}

export function unauthenticated(message: string, cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, message, "SESSION_INACTIVE", {}, cause);
}

/**
 * The session's blob (written by a client app, so rewritable by whoever holds it) says something Para does not:
 * another user id, auth info or wallet than Para confirms for the session's cookie.
 */
export function sessionMismatch(what: "user" | "auth" | "wallets"): ConnectError {
  return withReason(Code.Unauthenticated, `session does not match what para confirms (${what})`, "SESSION_MISMATCH", { mismatch: what });
}

/** A retryable failure (UNAVAILABLE or RESOURCE_EXHAUSTED) with a RetryInfo hint. */
export function retryable(
  code: Code.Unavailable | Code.ResourceExhausted,
  message: string,
  reason: ErrorReason,
  retryDelayMs: number,
  cause?: unknown,
): ConnectError {
  return new ConnectError(
    message,
    code,
    undefined,
    [errorInfo(reason, {}), { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(retryDelayMs) } }],
    cause,
  );
}

function errorInfo(reason: ErrorReason, metadata: Record<string, string>) {
  return { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN, metadata }) };
}

/**
 * A Para policy denied the signing request. `deniedBy` is the rule Para names, when it names one (checked to be a
 * plain identifier: nothing else of Para's answer is copied).
 */
export function policyDenied(deniedBy: string | undefined, cause?: unknown): ConnectError {
  return withReason(Code.PermissionDenied, "a para policy denied this signing request", "POLICY_DENIED", deniedBy ? { denied_by: deniedBy } : {}, cause);
}
