import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfo, retryable, retryInfo } from "./error-details.js";

/**
 * RESOURCE_EXHAUSTED and UNAVAILABLE (docs/design.md §4): worth retrying, each with a RetryInfo hint (the
 * process stays up; another replica, or a moment later, may succeed).
 */

/** Para answered 429 during `what`. */
export function paraRateLimited(what: string, retryDelayMs: number, cause?: unknown): ConnectError {
  return retryable(Code.ResourceExhausted, `para ${what}: rate limited`, "PARA_RATE_LIMITED", retryDelayMs, cause);
}

const BUDGET_MESSAGES = {
  concurrency: "this server's limit of calls to para at once is reached",
  rate: "this server's rate budget toward para is spent",
} as const;

/** This server's own budget toward Para (SIGNER_PARA_MAX_CONCURRENT, SIGNER_PARA_MAX_RPS) refused the call before Para saw it. */
export function paraBudgetExhausted(budget: keyof typeof BUDGET_MESSAGES, retryDelayMs: number): ConnectError {
  return retryable(Code.ResourceExhausted, BUDGET_MESSAGES[budget], "PARA_BUDGET_EXHAUSTED", retryDelayMs);
}

/** SIGNER_MAX_CONCURRENT_CALLS calls are in progress already. */
export function serverAtConcurrencyLimit(retryDelayMs: number): ConnectError {
  return retryable(Code.ResourceExhausted, "server is at its concurrency limit", "CONCURRENCY_LIMIT", retryDelayMs);
}

/** The session's user already has SIGNER_MAX_REVIEW_WAITS_PER_USER AwaitReview calls waiting here. */
export function reviewWaitsExhausted(retryDelayMs: number): ConnectError {
  return retryable(Code.ResourceExhausted, "too many review waits for this user", "REVIEW_WAITS_EXHAUSTED", retryDelayMs);
}

/** The transport refused a request larger than its RPC accepts, from the message prefix, before reading it (as gRPC does). */
export function requestTooLarge(): ConnectError {
  return new ConnectError("request message is larger than this method accepts", Code.ResourceExhausted, undefined, [errorInfo("REQUEST_TOO_LARGE")]);
}

/** The process holds as many request bytes as it may (SIGNER_MAX_BUFFERED_BYTES). */
export function bufferedBytesExhausted(retryDelayMs: number): ConnectError {
  return new ConnectError("server is holding too many request bytes", Code.ResourceExhausted, undefined, [
    errorInfo("BUFFERED_BYTES_LIMIT"),
    retryInfo(retryDelayMs),
  ]);
}

/** Para is down or failing during `what` (no answer, a reset, a 5xx or 408: `detail` says which, never Para's words). */
export function paraUnavailable(what: string, detail: string, retryDelayMs: number, cause?: unknown): ConnectError {
  return retryable(Code.Unavailable, `para ${what} unavailable (${detail})`, "PARA_UNAVAILABLE", retryDelayMs, cause);
}

/** The SDK's signing worker crashed, timed out or cannot start; with `what`, the step that needed it. */
export function signingWorkerUnavailable(retryDelayMs: number, cause?: unknown, what?: string): ConnectError {
  const message = what ? `para ${what} failed: signing worker unavailable` : "signing worker unavailable";
  return retryable(Code.Unavailable, message, "PARA_UNAVAILABLE", retryDelayMs, cause);
}

/** Para's JWT signing keys cannot be fetched or read. */
export function jwksUnavailable(retryDelayMs: number, cause?: unknown): ConnectError {
  return retryable(Code.Unavailable, "para jwks unavailable", "PARA_UNAVAILABLE", retryDelayMs, cause);
}

/** The server is draining or stopped: another replica takes the call. */
export function serverShuttingDown(): ConnectError {
  return new ConnectError("server is shutting down", Code.Unavailable);
}

/** The SDK's signing worker was stopped (the server is shutting down). */
export function signingWorkerStopped(): ConnectError {
  return new ConnectError("signing worker stopped", Code.Unavailable);
}
