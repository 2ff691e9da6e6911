import { Code, ConnectError } from "@connectrpc/connect";

/**
 * INTERNAL (docs/design.md §4: anything unexpected). The message is generic; what happened stays in the cause,
 * which is logged redacted and never sent.
 */

export function internalError(message = "internal error", cause?: unknown): ConnectError {
  return new ConnectError(message, Code.Internal, undefined, undefined, cause);
}

/** Para's signature does not verify against the wallet Para lists: never handed to the caller. */
export function unverifiedSignature(cause?: unknown): ConnectError {
  return internalError("para returned a signature that does not verify", cause);
}

/** Para answered `what` ("sign", "jwt issue", ...) in a way the SDK or this server did not expect; `status` when it sent one. */
export function paraFailed(what: string, status?: number, cause?: unknown): ConnectError {
  return internalError(status === undefined ? `para ${what} failed` : `para ${what} failed (status ${status})`, cause);
}

/** Para's answer to `what` is not what it must be: not JSON, or without a field it must hold (`problem`: "returned no signature"). */
export function paraAnswerMalformed(what: string, problem = "returned a malformed answer"): ConnectError {
  return internalError(`para ${what} ${problem}`);
}
