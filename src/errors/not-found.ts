import { Code, ConnectError } from "@connectrpc/connect";

/** NOT_FOUND (docs/design.md §4). No message names the value looked for. */

const WALLET_NOT_FOUND = {
  wallet_id: "wallet_id not found in session",
  wallet_type: "no wallet of that type in session",
  para: "wallet not found in session",
} as const;

/**
 * No wallet of the session to sign with. `lookup`: the caller's wallet_id named none, no wallet has the asked type
 * (or none at all), or Para (its confirmed list, or the SDK) does not know the wallet.
 */
export function walletNotFound(lookup: keyof typeof WALLET_NOT_FOUND, cause?: unknown): ConnectError {
  return new ConnectError(WALLET_NOT_FOUND[lookup], Code.NotFound, undefined, undefined, cause);
}

/** VerifyWallet: Para knows no wallet with that address. */
export function addressNotFound(): ConnectError {
  return new ConnectError("no wallet with that address", Code.NotFound);
}

/** AwaitReview: Para knows no such pending transaction for the session's user. */
export function pendingTransactionNotFound(cause?: unknown): ConnectError {
  return new ConnectError("no such pending transaction for this user", Code.NotFound, undefined, undefined, cause);
}
