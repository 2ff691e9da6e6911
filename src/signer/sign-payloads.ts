import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressEncoder, type Address } from "@solana/addresses";
import { keccak256, recoverAddress, serializeTransaction, toHex } from "viem/utils";
import {
  type SignAuthorizationRequest,
  SignAuthorizationRequestSchema,
  type SignAuthorizationResponse,
  SignAuthorizationResponseSchema,
  type SignerService,
  type SignSolanaTransactionRequest,
  SignSolanaTransactionRequestSchema,
  type SignSolanaTransactionResponse,
  SignSolanaTransactionResponseSchema,
  type SignTransactionRequest,
  SignTransactionRequestSchema,
  type SignTransactionResponse,
  SignTransactionResponseSchema,
  type SignTypedDataRequest,
  SignTypedDataRequestSchema,
  type SignTypedDataResponse,
  SignTypedDataResponseSchema,
} from "../../gen/para/signer/v1/signer_service_pb.js";
import { unverifiedSignature } from "../errors/error-model.js";
import type { ActingSession, SignItem } from "../para/para-gateway.js";
import type { SessionWallet, ValidSession } from "../para/session-codec.js";
import { ATTR_PARA_CHAIN_ID, ATTR_PARA_SIGN_KIND, ATTR_PARA_TRANSACTION_LENGTH, ATTR_PARA_TRANSACTION_TYPE } from "../telemetry/semconv.js";
import { encodeSignature } from "./signature-encoding.js";
import { type SigningCallDeps, type SigningRequestFields, signingCall } from "./signing-call.js";
import type { ValidEvmTransaction } from "./validation/evm-payloads.js";
import { validateSignAuthorizationRequest, validateSignTransactionRequest, validateSignTypedDataRequest } from "./validation/evm-requests.js";
import type { RequestLimits } from "./validation/request-limits.js";
import { validateSignSolanaTransactionRequest } from "./validation/solana-request.js";
import { requireSigner, withSignature } from "./validation/solana-transaction.js";

/**
 * The RPCs that sign what callers actually sign: EVM transactions (through Para's transaction route, so Para's
 * policies see the transaction), EIP-712 typed data and EIP-7702 authorizations (their digests, through the message
 * route), and Solana transactions (their message bytes). Thin, like the others: one validate<Rpc>Request (pure,
 * viem and @solana/kit), sign through the one gateway path, shape the answer. Every signature is checked against
 * the wallet Para lists before it is returned, so a wrong key never reaches a caller.
 */

export interface PayloadSignerDeps extends SigningCallDeps {
  limits: Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes">;
}

export type PayloadRpcs = Pick<ServiceImpl<typeof SignerService>, "signTransaction" | "signTypedData" | "signAuthorization" | "signSolanaTransaction">;

export function payloadSigners(deps: PayloadSignerDeps): PayloadRpcs {
  /** One signing job with the session's wallet, through the call's confirmed session (src/signer/signing-call.ts). */
  const once = <Req extends DescMessage, Res extends DescMessage>(
    ctx: HandlerContext,
    method: string,
    request: { schema: Req; message: MessageShape<Req> & SigningRequestFields },
    response: Res,
    session: ValidSession,
    wallet: Pick<SessionWallet, "id">,
    work: (acting: ActingSession) => Promise<MessageShape<Res>>,
  ) =>
    signingCall(
      deps,
      ctx,
      {
        method,
        request,
        response,
        session,
        wallets: [wallet.id],
        signs: 1,
      },
      work,
    );

  const signWith = (acting: ActingSession, wallet: Pick<SessionWallet, "id" | "type">, payload: SignItem["payload"], attributes: SignItem["attributes"]) =>
    acting.sign({ walletId: wallet.id, walletType: wallet.type, payload, attributes });

  /** Signs a 32-byte digest with an EVM wallet (worker SIGN_MESSAGE), checked to recover to Para's address. */
  const signDigest = async (acting: ActingSession, wallet: SessionWallet, digest: Uint8Array, attributes: SignItem["attributes"]) => {
    const signed = await signWith(acting, wallet, { kind: "message", messageBase64: Buffer.from(digest).toString("base64") }, attributes);
    const signature = encodeSignature("EVM", signed.signature);
    await requireSignedBy(digest, signature.bytes, signed.wallet.address);
    return { signed, signature };
  };

  return {
    async signTransaction(req: SignTransactionRequest, ctx: HandlerContext): Promise<SignTransactionResponse> {
      const { session, wallet, transaction: tx } = validateSignTransactionRequest(req, deps.limits);
      const attributes = {
        [ATTR_PARA_SIGN_KIND]: "evm_transaction",
        [ATTR_PARA_CHAIN_ID]: tx.chainId,
        [ATTR_PARA_TRANSACTION_TYPE]: tx.envelope,
        [ATTR_PARA_TRANSACTION_LENGTH]: tx.serialized.length,
      };
      const payload = { kind: "transaction" as const, transactionBase64: Buffer.from(paraTransactionForm(tx)).toString("base64"), chainId: String(tx.chainId) };
      const request = { schema: SignTransactionRequestSchema, message: req };
      return once(ctx, "SignTransaction", request, SignTransactionResponseSchema, session, wallet, async (acting) => {
        const signed = await signWith(acting, wallet, payload, attributes);
        const signature = encodeSignature("EVM", signed.signature);
        // The unsigned serialization is the signing payload of every envelope (EIP-155 legacy included).
        const signingHash = keccak256(tx.serialized, "bytes");
        await requireSignedBy(signingHash, signature.bytes, signed.wallet.address);
        const { r, s, yParity } = splitSignature(signature.bytes);
        const signedTx = serializeTransaction(tx.transaction, { r: toHex(r), s: toHex(s), yParity, v: 27n + BigInt(yParity) });
        return create(SignTransactionResponseSchema, {
          walletId: signed.wallet.id,
          address: signed.wallet.address,
          r,
          s,
          yParity,
          signedTransaction: hexBytes(signedTx),
          transactionHash: keccak256(signedTx, "bytes"),
        });
      });
    },

    async signTypedData(req: SignTypedDataRequest, ctx: HandlerContext): Promise<SignTypedDataResponse> {
      const { session, wallet, typedData: typed } = validateSignTypedDataRequest(req, deps.limits);
      const attributes = { [ATTR_PARA_SIGN_KIND]: "typed_data", [ATTR_PARA_TRANSACTION_LENGTH]: typed.length };
      const request = { schema: SignTypedDataRequestSchema, message: req };
      return once(ctx, "SignTypedData", request, SignTypedDataResponseSchema, session, wallet, async (acting) => {
        const { signed, signature } = await signDigest(acting, wallet, typed.digest, attributes);
        return create(SignTypedDataResponseSchema, {
          walletId: signed.wallet.id,
          address: signed.wallet.address,
          signature: signature.bytes,
          encodedSignature: signature.encoded,
          digest: typed.digest,
        });
      });
    },

    async signAuthorization(req: SignAuthorizationRequest, ctx: HandlerContext): Promise<SignAuthorizationResponse> {
      const { session, wallet, authorization: auth } = validateSignAuthorizationRequest(req, deps.limits);
      const attributes = { [ATTR_PARA_SIGN_KIND]: "authorization", [ATTR_PARA_CHAIN_ID]: auth.chainId };
      const request = { schema: SignAuthorizationRequestSchema, message: req };
      return once(ctx, "SignAuthorization", request, SignAuthorizationResponseSchema, session, wallet, async (acting) => {
        const { signed, signature } = await signDigest(acting, wallet, auth.digest, attributes);
        const { r, s, yParity } = splitSignature(signature.bytes);
        return create(SignAuthorizationResponseSchema, { walletId: signed.wallet.id, address: signed.wallet.address, r, s, yParity });
      });
    },

    async signSolanaTransaction(req: SignSolanaTransactionRequest, ctx: HandlerContext): Promise<SignSolanaTransactionResponse> {
      const { session, wallet, transaction: tx, signerField } = validateSignSolanaTransactionRequest(req, deps.limits);
      const attributes = {
        [ATTR_PARA_SIGN_KIND]: "solana_transaction",
        [ATTR_PARA_TRANSACTION_TYPE]: tx.version,
        [ATTR_PARA_TRANSACTION_LENGTH]: tx.length,
      };
      const request = { schema: SignSolanaTransactionRequestSchema, message: req };
      return once(ctx, "SignSolanaTransaction", request, SignSolanaTransactionResponseSchema, session, wallet, async (acting) => {
        const signed = await signWith(acting, wallet, { kind: "message", messageBase64: Buffer.from(tx.messageBytes).toString("base64") }, attributes);
        const signature = encodeSignature("SOLANA", signed.signature).bytes;
        // The slot is the wallet's as Para lists it.
        requireSigner(tx, signed.wallet.address, signerField);
        if (!ed25519.verify(signature, tx.messageBytes, new Uint8Array(getAddressEncoder().encode(signed.wallet.address as Address)))) {
          throw unverifiedSignature();
        }
        return create(SignSolanaTransactionResponseSchema, {
          walletId: signed.wallet.id,
          address: signed.wallet.address,
          signature,
          signedTransaction: withSignature(tx, signed.wallet.address, signature),
        });
      });
    },
  };
}

/**
 * The transaction as Para's transaction route receives it. Para's own viem integration (@getpara/viem-v2-integration
 * signTransaction) sends typed envelopes serialized with an empty signature (`{ r: "0x", s: "0x", v: 0 }`: the
 * fields, then three empty items), so that is what is sent here. For a legacy transaction that integration's form
 * is not EIP-155 (viem turns v = 0 into chainId * 2 + 8), so the standard EIP-155 unsigned form is sent instead.
 * Either way the signing hash is keccak-256 of the unsigned serialization, which is what the answer is checked
 * against.
 */
function paraTransactionForm(tx: ValidEvmTransaction): Uint8Array {
  if (tx.envelope === "legacy") return tx.serialized;
  return hexBytes(serializeTransaction(tx.transaction, { r: "0x", s: "0x", v: 0n }));
}

/** 65 bytes r‖s‖v (v in {27, 28}) → r, s and the recovery id 0/1. */
function splitSignature(bytes: Uint8Array): { r: Uint8Array; s: Uint8Array; yParity: number } {
  return { r: bytes.slice(0, 32), s: bytes.slice(32, 64), yParity: (bytes[64] ?? 27) - 27 };
}

/** The signature must recover to the wallet Para lists: anything else is never handed out. */
async function requireSignedBy(hash: Uint8Array, signature: Uint8Array, address: string): Promise<void> {
  let recovered: string;
  try {
    recovered = await recoverAddress({ hash: toHex(hash), signature: toHex(signature) });
  } catch (error) {
    throw unverifiedSignature(error);
  }
  if (recovered.toLowerCase() !== address.toLowerCase()) throw unverifiedSignature();
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}
