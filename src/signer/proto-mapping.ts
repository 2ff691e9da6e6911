import { create } from "@bufbuild/protobuf";
import { type AuthInfo, AuthInfoSchema, MessageFormat, type Wallet, WalletSchema, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { ParaWallet } from "../para/para-sdk.js";
import type { SessionWalletType } from "../para/session-codec.js";
import type { Format } from "./validation/message-bytes.js";

/** Conversions between Para's words ("EVM", "email") and the contract's enums and messages. */

const TO_PROTO: Record<string, WalletType> = {
  EVM: WalletType.EVM,
  SOLANA: WalletType.SOLANA,
  COSMOS: WalletType.COSMOS,
};

export function walletTypeToProto(type: string): WalletType {
  return TO_PROTO[type] ?? WalletType.UNSPECIFIED;
}

/** The session wallet type a filter names, or undefined for "any". */
export function walletTypeFromProto(type: WalletType): SessionWalletType | undefined {
  switch (type) {
    case WalletType.EVM:
      return "EVM";
    case WalletType.SOLANA:
      return "SOLANA";
    case WalletType.COSMOS:
      return "COSMOS";
    default:
      return undefined;
  }
}

export function formatFromProto(format: MessageFormat): Format | undefined {
  if (format === MessageFormat.UNSPECIFIED || format === MessageFormat.RAW) return "RAW";
  if (format === MessageFormat.EIP191) return "EIP191";
  return undefined;
}

/** A wallet as Para lists it; `hasSigner` says whether the caller's session carries its signer share. */
export function paraWalletToProto(w: ParaWallet, hasSigner: boolean): Wallet {
  return create(WalletSchema, {
    id: w.id,
    type: walletTypeToProto(w.type),
    address: w.address,
    publicKey: w.publicKey,
    hasSigner,
  });
}

export function authToProto(auth: { authType: string; identifier: string; oAuthMethod: string }): AuthInfo {
  return create(AuthInfoSchema, { authType: auth.authType, identifier: auth.identifier, oauthMethod: auth.oAuthMethod });
}
