import { Code, type ConnectError } from "@connectrpc/connect";
import { PENDING_TRANSACTION_ID_KEY, withReason } from "./error-details.js";

/** PERMISSION_DENIED (docs/design.md §4): Para, or the user, said no to this signing request. */

/**
 * A Para policy denied the signing request. `deniedBy` is the rule Para names, when it names one (checked to be a
 * plain identifier: nothing else of Para's answer is copied).
 */
export function policyDenied(deniedBy: string | undefined, cause?: unknown): ConnectError {
  return withReason(Code.PermissionDenied, "a para policy denied this signing request", "POLICY_DENIED", deniedBy ? { denied_by: deniedBy } : {}, cause);
}

/** The user denied the transaction review (AwaitReview). */
export function reviewDenied(pendingTransactionId: string): ConnectError {
  return withReason(Code.PermissionDenied, "the user denied the transaction review", "REVIEW_DENIED", { [PENDING_TRANSACTION_ID_KEY]: pendingTransactionId });
}
