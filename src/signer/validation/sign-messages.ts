import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../../gen/google/rpc/error_details_pb.js";
import type { SignMessagesRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { invalidArgument } from "../../errors/error-model.js";
import { decodeSession, type ValidSession } from "../../para/session-codec.js";
import type { RequestLimits } from "./request-limits.js";
import { type ValidMessageToSign, validateMessageToSign } from "./sign-message.js";

/** One batch item after validation: what to sign, or the error SignMessage would have answered for it. */
export type ValidatedItem = { ok: true; item: ValidMessageToSign; messageLength: number } | { ok: false; error: ConnectError };

export interface ValidSignMessagesRequest {
  session: ValidSession;
  /** In the order of the request's items. */
  items: ValidatedItem[];
}

/**
 * SignMessages: the session and the batch's own bounds fail the whole call (INVALID_ARGUMENT on `session` or
 * `items`); each item is then checked as SignMessage checks its fields, and an item that fails keeps its error (its
 * BadRequest field named `items[i].<field>`) without failing the others.
 */
export function validateSignMessagesRequest(
  req: Pick<SignMessagesRequest, "session" | "items">,
  limits: Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes" | "maxBatchItems" | "maxBatchMessageBytes">,
): ValidSignMessagesRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  if (req.items.length === 0) throw invalidArgument("items", "required", "REQUIRED");
  if (req.items.length > limits.maxBatchItems) throw invalidArgument("items", `more than ${limits.maxBatchItems} items`, "TOO_LARGE");
  const total = req.items.reduce((sum, item) => sum + item.message.length, 0);
  if (total > limits.maxBatchMessageBytes) throw invalidArgument("items", `more than ${limits.maxBatchMessageBytes} message bytes in all`, "TOO_LARGE");
  return {
    session,
    items: req.items.map((item, i) => {
      try {
        return { ok: true, item: validateMessageToSign(session, item, limits), messageLength: item.message.length };
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        return { ok: false, error: forItem(error, i) };
      }
    }),
  };
}

/** The item's error, its BadRequest field prefixed with the item's place in the batch. */
function forItem(error: ConnectError, index: number): ConnectError {
  const violation = error.code === Code.InvalidArgument ? error.findDetails(BadRequestSchema)[0]?.fieldViolations[0] : undefined;
  if (!violation) return error;
  return invalidArgument(`items[${index}].${violation.field}`, violation.description, violation.reason);
}
