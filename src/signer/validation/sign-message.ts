import { type SignMessageRequest, WalletType } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { invalidArgument } from "../../errors/error-model.js";
import { decodeSession, type SessionWallet, type ValidSession } from "../../para/session-codec.js";
import { formatFromProto, walletTypeFromProto } from "../proto-mapping.js";
import { bytesToSign, type Format } from "./message-bytes.js";
import type { RequestLimits } from "./request-limits.js";
import { selectWallet } from "./wallet-selection.js";

/** What a message to sign names: the fields SignMessage shares with each item of a batch. */
export type MessageToSign = Pick<SignMessageRequest, "message" | "walletId" | "walletType" | "format">;

export interface ValidMessageToSign {
  /** The session's wallet that signs (it holds its signer share). */
  wallet: SessionWallet;
  format: Format;
  /** Exactly what the wallet signs: the message, or its EIP-191 digest. */
  bytes: Uint8Array;
}

export interface ValidSignMessageRequest extends ValidMessageToSign {
  session: ValidSession;
}

/**
 * SignMessage: the session, then the message's format and wallet filter, the wallet (NOT_FOUND when the session has
 * none that fits, FAILED_PRECONDITION SIGNER_MISSING when it has no signer share), then the message itself. The
 * order is the contract's: each check answers before the next is looked at.
 */
export function validateSignMessageRequest(
  req: Pick<SignMessageRequest, "session"> & MessageToSign,
  limits: Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes">,
): ValidSignMessageRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  return { session, ...validateMessageToSign(session, req, limits) };
}

/** One message to sign with an already decoded session (SignMessage's own fields, or one batch item's). */
export function validateMessageToSign(session: ValidSession, item: MessageToSign, limits: Pick<RequestLimits, "maxMessageBytes">): ValidMessageToSign {
  const format = formatFromProto(item.format);
  if (!format) throw invalidArgument("format", "unknown message format");
  const walletType = walletTypeFromProto(item.walletType);
  if (walletType === undefined && item.walletType !== WalletType.UNSPECIFIED) throw invalidArgument("wallet_type", "unknown wallet type");
  const wallet = selectWallet(session, item.walletId, walletType);
  const bytes = bytesToSign(wallet.type, format, item.message, limits.maxMessageBytes);
  return { wallet, format, bytes };
}
