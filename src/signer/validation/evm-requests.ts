import type { SignAuthorizationRequest, SignTransactionRequest, SignTypedDataRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { decodeSession, type SessionWallet, type ValidSession } from "../../para/session-codec.js";
import {
  type ValidAuthorization,
  type ValidEvmTransaction,
  type ValidTypedData,
  validateAuthorization,
  validateEvmTransaction,
  validateTypedData,
} from "./evm-payloads.js";
import type { RequestLimits } from "./request-limits.js";
import { selectWallet } from "./wallet-selection.js";

/**
 * The EVM signing requests: the session, then the payload, then the EVM wallet that signs it (the order the
 * checks answer in). Loaded with viem, only by the payload RPCs (src/signer/sign-payloads.ts).
 */

type Limits = Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes">;

export interface ValidSignTransactionRequest {
  session: ValidSession;
  wallet: SessionWallet;
  transaction: ValidEvmTransaction;
}

export function validateSignTransactionRequest(
  req: Pick<SignTransactionRequest, "session" | "walletId" | "unsignedTransaction" | "chainId">,
  limits: Limits,
): ValidSignTransactionRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  const transaction = validateEvmTransaction(req, limits);
  return { session, wallet: selectWallet(session, req.walletId, "EVM"), transaction };
}

export interface ValidSignTypedDataRequest {
  session: ValidSession;
  wallet: SessionWallet;
  typedData: ValidTypedData;
}

export function validateSignTypedDataRequest(
  req: Pick<SignTypedDataRequest, "session" | "walletId" | "typedDataJson">,
  limits: Limits,
): ValidSignTypedDataRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  const typedData = validateTypedData(req, limits);
  return { session, wallet: selectWallet(session, req.walletId, "EVM"), typedData };
}

export interface ValidSignAuthorizationRequest {
  session: ValidSession;
  wallet: SessionWallet;
  authorization: ValidAuthorization;
}

export function validateSignAuthorizationRequest(
  req: Pick<SignAuthorizationRequest, "session" | "walletId" | "chainId" | "contractAddress" | "nonce">,
  limits: Pick<RequestLimits, "maxSessionBytes">,
): ValidSignAuthorizationRequest {
  const session = decodeSession(req.session, limits.maxSessionBytes);
  const authorization = validateAuthorization(req);
  return { session, wallet: selectWallet(session, req.walletId, "EVM"), authorization };
}
