import { Code, type ConnectError } from "@connectrpc/connect";
import { withReason } from "./error-details.js";

/** UNAUTHENTICATED (docs/design.md §4): the session or credential is not (or no longer) good. */

/** The session is not active (Para's session check). */
export function sessionInactive(cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, "session is not active", "SESSION_INACTIVE", {}, cause);
}

/** keepSessionAlive answered false, and not because Para failed: Para would not extend the session. */
export function sessionNotExtended(cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, "session could not be extended", "SESSION_INACTIVE", {}, cause);
}

/** Para refused the session itself (HTTP 401/403) during `what` ("session import", "sign", ...). */
export function sessionRefusedByPara(what: string, cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, `para ${what}: session not authenticated`, "SESSION_INACTIVE", {}, cause);
}

/**
 * SESSION_INACTIVE with a message of the caller's choosing.
 * @deprecated use sessionInactive, sessionNotExtended or sessionRefusedByPara.
 */
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

/**
 * A JWT that does not verify: signature, shape, or a claim (`claim`: the registered claim's name, never its
 * value; the caller checks it is one).
 */
export function jwtInvalid(claim?: string, cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, claim ? `jwt invalid: ${claim}` : "jwt invalid", "JWT_INVALID", {}, cause);
}

export function jwtExpired(cause?: unknown): ConnectError {
  return withReason(Code.Unauthenticated, "jwt expired", "JWT_EXPIRED", {}, cause);
}

/** Para does not know the verification token, or it expired. */
export function verificationTokenInvalid(): ConnectError {
  return withReason(Code.Unauthenticated, "verification token is invalid or expired", "VERIFICATION_TOKEN_INVALID");
}
