import type { VerifySessionRequest, VerifyWalletRequest } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { invalidArgument } from "../../errors/error-model.js";
import type { RequestLimits } from "./request-limits.js";
import { requireText } from "./text-field.js";

/** The credential RPCs: a verification token or JWT (VerifySession), a wallet address (VerifyWallet). */

export type ValidVerifySessionRequest = { kind: "verificationToken"; verificationToken: string } | { kind: "jwt"; jwt: string };

export function validateVerifySessionRequest(
  req: Pick<VerifySessionRequest, "credential">,
  limits: Pick<RequestLimits, "maxCredentialChars">,
): ValidVerifySessionRequest {
  const credential = req.credential;
  if (credential.case === "verificationToken") {
    return { kind: "verificationToken", verificationToken: requireText("verification_token", credential.value, limits.maxCredentialChars) };
  }
  if (credential.case === "jwt") return { kind: "jwt", jwt: requireText("jwt", credential.value, limits.maxCredentialChars) };
  throw invalidArgument("credential", "set verification_token or jwt", "REQUIRED");
}

export interface ValidVerifyWalletRequest {
  address: string;
}

/**
 * An address of any wallet type Para knows (0x-hex, base58, bech32): letters and digits only, so nothing else of
 * what the caller sent reaches Para's URL or body.
 */
export function validateVerifyWalletRequest(
  req: Pick<VerifyWalletRequest, "address">,
  limits: Pick<RequestLimits, "maxAddressChars">,
): ValidVerifyWalletRequest {
  const address = requireText("address", req.address, limits.maxAddressChars);
  if (!/^[0-9A-Za-z]+$/.test(address)) throw invalidArgument("address", "not a wallet address", "MALFORMED");
  return { address };
}
