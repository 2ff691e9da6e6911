import type { ConnectError } from "@connectrpc/connect";
import { bufferedBytesExhausted as bufferedBytesExhaustedFor } from "../errors/error-model.js";

/**
 * The errors the transport answers with, named as the transport uses them; each is built by its constructor in
 * src/errors (docs/design.md §4). Messages never carry a request value (not even the declared length: it is the caller's).
 */

export { bodyReadTimedOut, requestTooLarge as messageTooLarge } from "../errors/error-model.js";

/** How soon a refused body may be sent again: buffered bytes drain as the calls holding them read on. */
const BUFFERED_BYTES_RETRY_MS = 100;

/** The process holds as many request bytes as it may: retryable, another replica (or a moment later) may take it. */
export function bufferedBytesExhausted(): ConnectError {
  return bufferedBytesExhaustedFor(BUFFERED_BYTES_RETRY_MS);
}
