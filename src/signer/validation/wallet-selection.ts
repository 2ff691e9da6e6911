import { signerMissing, walletNotFound } from "../../errors/error-model.js";
import type { SessionWallet, SessionWalletType, ValidSession } from "../../para/session-codec.js";

/** The order wallets are tried in when the caller names neither id nor type. */
const TYPE_PREFERENCE: readonly SessionWalletType[] = ["EVM", "SOLANA", "COSMOS"];

/**
 * Chooses the wallet to sign with: the named one (which must have the asked
 * type, if any), else the first wallet of the asked type, EVM first when
 * none is asked. A wallet without its signer share cannot sign.
 */
export function selectWallet(session: ValidSession, walletId: string, type: SessionWalletType | undefined): SessionWallet {
  const candidates = walletId
    ? session.wallets.filter((w) => w.id === walletId && (!type || w.type === type))
    : [...session.wallets].filter((w) => !type || w.type === type).sort((a, b) => TYPE_PREFERENCE.indexOf(a.type) - TYPE_PREFERENCE.indexOf(b.type));
  if (candidates.length === 0) throw walletNotFound(walletId ? "wallet_id" : "wallet_type");
  const signable = candidates.find((w) => w.hasSigner);
  if (!signable) throw signerMissing();
  return signable;
}
