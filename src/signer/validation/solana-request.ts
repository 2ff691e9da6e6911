import type { SignSolanaTransactionRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { decodeSession, type SessionWallet, type ValidSession } from "../../para/session-codec.js";
import type { RequestLimits } from "./request-limits.js";
import { requireSigner, type SignerField, type ValidSolanaTransaction, validateSolanaTransaction } from "./solana-transaction.js";
import { selectWallet } from "./wallet-selection.js";

export interface ValidSignSolanaTransactionRequest {
  session: ValidSession;
  wallet: SessionWallet;
  transaction: ValidSolanaTransaction;
  /** The field that chose the wallet: named again if Para's address for it is not one of the signers. */
  signerField: SignerField;
}

/**
 * SignSolanaTransaction: the session, the transaction, the Solana wallet, and that wallet as one of the
 * transaction's required signers, all refused before any Para work. (The session's wallets are confirmed against
 * Para's list when signing; the handler checks Para's address is a signer too.)
 */
export function validateSignSolanaTransactionRequest(
  req: Pick<SignSolanaTransactionRequest, "session" | "walletId" | "transaction">,
  limits: Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes">,
): ValidSignSolanaTransactionRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  const transaction = validateSolanaTransaction(req.transaction, limits.maxMessageBytes);
  const wallet = selectWallet(session, req.walletId, "SOLANA");
  const signerField: SignerField = req.walletId ? "wallet_id" : "transaction";
  requireSigner(transaction, wallet.address, signerField);
  return { session, wallet, transaction, signerField };
}
