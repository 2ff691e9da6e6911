import type { CheckSessionRequest, IssueJwtRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
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
