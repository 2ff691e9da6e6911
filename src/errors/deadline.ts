import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfo, PENDING_TRANSACTION_ID_KEY, withReason } from "./error-details.js";

/**
 * DEADLINE_EXCEEDED (docs/design.md §4: the caller's deadline, or one of the server's caps) and CANCELLED. A
 * caller's own deadline or cancellation arrives as the ConnectError Connect aborts the call with, kept as is.
 */

/** The server's cap on one Para round trip (SIGNER_PARA_CALL_TIMEOUT_MS) passed during `what`. */
export function paraTimedOut(what: string, cause?: unknown): ConnectError {
  return new ConnectError(`para ${what} timed out`, Code.DeadlineExceeded, undefined, undefined, cause);
}

/** The server's cap on reading one request body (SIGNER_BODY_READ_TIMEOUT_MS) passed. */
export function bodyReadTimedOut(): ConnectError {
  return new ConnectError("request body not received in time", Code.DeadlineExceeded, undefined, [errorInfo("BODY_READ_TIMEOUT")]);
}

/** AwaitReview: the review is still pending when the call's time is up; calling again keeps waiting. */
export function reviewStillPending(pendingTransactionId: string): ConnectError {
  return withReason(Code.DeadlineExceeded, "the transaction review is still pending", "TRANSACTION_REVIEW_REQUIRED", {
    [PENDING_TRANSACTION_ID_KEY]: pendingTransactionId,
  });
}

/**
 * The caller reset the call's stream as its own deadline ran out (its timer starts before ours, so it fires
 * first): recorded as the deadline it was, not as the reset's HTTP/2 code (transport/caller-abort.ts).
 */
export function callerDeadlinePassed(): ConnectError {
  return new ConnectError("the caller's deadline passed", Code.DeadlineExceeded);
}

/** A call aborted for no reason Connect named (its own aborts carry their code). */
export function callCancelled(): ConnectError {
  return new ConnectError("call aborted", Code.Canceled);
}
