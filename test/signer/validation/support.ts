// What the request-validator tests share: a session blob built locally (the exported shape, docs/para-sdk.md §3.1),
// the configured limits, and a refusal read back as the caller would see it (code, message, details).
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import type { RequestLimits } from "../../../src/signer/validation/request-limits.js";

export const LIMITS: RequestLimits = {
  maxSessionBytes: 64 * 1024,
  maxMessageBytes: 64 * 1024,
  maxCredentialChars: 16 * 1024,
  maxAddressChars: 256,
  maxBatchItems: 4,
  maxBatchMessageBytes: 256,
};

/** A real Solana address (a signer of the example transactions). */
export const SOLANA_PAYER = "GmaDrppBC7P5ARKV8g3djiwP89vz1jLK23V2GBjuAEGB";
/** Another valid Solana address (32 bytes of 7), in no session here. */
export const SOLANA_OTHER = "US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx";

export interface WalletSpec {
  id: string;
  type: "EVM" | "SOLANA" | "COSMOS";
  address?: string;
  /** Whether the session carries the wallet's signer share (default true). */
  signer?: boolean;
}

export const EVM_WALLET: WalletSpec = { id: "w-evm", type: "EVM", address: "0x1111111111111111111111111111111111111111" };
export const SOLANA_WALLET: WalletSpec = { id: "w-sol", type: "SOLANA", address: SOLANA_PAYER };

/** An exported session of user "user-1" holding `wallets` (Solana first, so "EVM first" is the validator's doing). */
export function sessionWith(...wallets: WalletSpec[]): string {
  const doc = {
    userId: "user-1",
    sessionCookie: "capsule.sid.validation-test",
    wallets: Object.fromEntries(
      wallets.map((w) => [
        w.id,
        {
          id: w.id,
          type: w.type,
          scheme: w.type === "SOLANA" ? "ED25519" : "DKLS",
          address: w.address ?? `addr-${w.id}`,
          ...(w.signer === false ? {} : { signer: `share-${w.id}` }),
        },
      ]),
    ),
  };
  return Buffer.from(JSON.stringify(doc)).toString("base64");
}

export const SESSION = sessionWith(SOLANA_WALLET, EVM_WALLET);

export interface Refusal {
  code: Code;
  message: string;
  /** BadRequest field violations, in order. */
  violations: Array<{ field: string; description: string; reason: string }>;
  reason: string | undefined;
}

/** Runs `validate`, which must throw a ConnectError, and reads it back. */
export function refusal(validate: () => unknown): Refusal {
  let thrown: unknown;
  try {
    validate();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${thrown === undefined ? "a result" : String(thrown)}`);
  return {
    code: thrown.code,
    message: thrown.rawMessage,
    violations: thrown
      .findDetails(BadRequestSchema)
      .flatMap((d) => d.fieldViolations.map(({ field, description, reason }) => ({ field, description, reason }))),
    reason: thrown.findDetails(ErrorInfoSchema)[0]?.reason,
  };
}

/** The INVALID_ARGUMENT a validator answers for one field. */
export function invalid(field: string, description: string, reason: string): Refusal {
  return { code: Code.InvalidArgument, message: `invalid ${field}: ${description}`, violations: [{ field, description, reason }], reason: undefined };
}

export const NOT_FOUND_BY_ID: Refusal = { code: Code.NotFound, message: "wallet_id not found in session", violations: [], reason: undefined };
export const NOT_FOUND_BY_TYPE: Refusal = { code: Code.NotFound, message: "no wallet of that type in session", violations: [], reason: undefined };
export const SIGNER_MISSING: Refusal = {
  code: Code.FailedPrecondition,
  message: "session was exported without signers",
  violations: [],
  reason: "SIGNER_MISSING",
};
