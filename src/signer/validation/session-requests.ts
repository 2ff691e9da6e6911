import type { AwaitReviewRequest, CheckSessionRequest, IssueJwtRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { invalidArgument } from "../../errors/error-model.js";
import { decodeSession, type ValidSession } from "../../para/session-codec.js";
import type { RequestLimits } from "./request-limits.js";

/** The RPCs that take a session and nothing that needs checking besides it. */

export interface ValidCheckSessionRequest {
  session: ValidSession;
}

export function validateCheckSessionRequest(
  req: Pick<CheckSessionRequest, "session">,
  limits: Pick<RequestLimits, "maxSessionBytes">,
): ValidCheckSessionRequest {
  return { session: decodeSession(req.session, limits.maxSessionBytes) };
}

export interface ValidIssueJwtRequest {
  session: ValidSession;
}

export function validateIssueJwtRequest(req: Pick<IssueJwtRequest, "session">, limits: Pick<RequestLimits, "maxSessionBytes">): ValidIssueJwtRequest {
  return { session: decodeSession(req.session, limits.maxSessionBytes) };
}

export interface ValidAwaitReviewRequest {
  session: ValidSession;
  pendingTransactionId: string;
}

/**
 * A pending transaction id as Para hands it out (a UUID in practice): a shape, not a tunable limit, so a constant
 * like the session's own shape bounds. It goes into a URL path, so only URL-safe characters pass.
 */
const PENDING_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function validateAwaitReviewRequest(
  req: Pick<AwaitReviewRequest, "session" | "pendingTransactionId">,
  limits: Pick<RequestLimits, "maxSessionBytes">,
): ValidAwaitReviewRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  if (req.pendingTransactionId.length === 0) throw invalidArgument("pending_transaction_id", "required", "REQUIRED");
  if (!PENDING_ID.test(req.pendingTransactionId)) throw invalidArgument("pending_transaction_id", "not a pending transaction id", "MALFORMED");
  return { session, pendingTransactionId: req.pendingTransactionId };
}
