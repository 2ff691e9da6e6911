import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  type AwaitReviewRequest,
  type AwaitReviewResponse,
  AwaitReviewResponseSchema,
  type CheckSessionRequest,
  type CheckSessionResponse,
  CheckSessionResponseSchema,
  type IssueJwtRequest,
  type IssueJwtResponse,
  IssueJwtResponseSchema,
  JwtClaimsSchema,
  type SignAuthorizationRequest,
  type SignAuthorizationResponse,
  type SignerService,
  type SignSolanaTransactionRequest,
  type SignSolanaTransactionResponse,
  type SignTransactionRequest,
  type SignTransactionResponse,
  type SignTypedDataRequest,
  type SignTypedDataResponse,
  type SignMessageRequest,
  SignMessageRequestSchema,
  type SignMessageResponse,
  SignMessageResponseSchema,
  type SignMessagesRequest,
  type SignMessagesResponse,
  type VerifySessionRequest,
  type VerifySessionResponse,
  VerifySessionResponseSchema,
  type VerifyWalletRequest,
  type VerifyWalletResponse,
  VerifyWalletResponseSchema,
  WalletSchema,
} from "../../gen/para/signer/v1/signer_service_pb.js";
import { sessionMismatch } from "../errors/error-model.js";
import type { ParaJwtClaims, ParaJwtVerifier } from "../para/jwt-verifier.js";
import type { ParaGateway } from "../para/para-gateway.js";
import { callTrace } from "../telemetry/call-trace.js";
import { callScopeOf } from "./call-scope-of.js";
import type { ParaRestClient } from "../para/para-rest.js";
import { authToProto, paraWalletToProto, walletTypeToProto } from "./proto-mapping.js";
import type { PayloadRpcs } from "./sign-payloads.js";
import type { LimitsConfig } from "../config/config.js";
import type { IdempotencyStore } from "../idempotency/idempotency-store.js";
import { reviewDeadline } from "../para/review-wait.js";
import { signMessageResponse, signMessages } from "./sign-messages.js";
import { signingCall } from "./signing-call.js";
import type { RequestLimits } from "./validation/request-limits.js";
import { validateAwaitReviewRequest, validateCheckSessionRequest, validateIssueJwtRequest } from "./validation/session-requests.js";
import { validateSignMessageRequest } from "./validation/sign-message.js";
import { validateVerifySessionRequest, validateVerifyWalletRequest } from "./validation/verify-requests.js";
import { ATTR_PARA_MESSAGE_LENGTH, ATTR_PARA_SIGN_KIND } from "../telemetry/semconv.js";

export interface SignerDeps {
  gateway: ParaGateway;
  rest: ParaRestClient;
  jwt: ParaJwtVerifier;
  /** Idempotency keys of the signing RPCs (src/idempotency/). */
  idempotency: IdempotencyStore;
  limits: RequestLimits & Pick<LimitsConfig, "maxTimeoutMs" | "batchConcurrency">;
}

/**
 * para.signer.v1.SignerService. Handlers stay thin: one validate<Rpc>Request (src/signer/validation/: pure, every
 * limit from config), the Para boundary, the response. Errors are ConnectErrors from the validators and the
 * boundary (src/errors); anything else becomes INTERNAL.
 */
export class Signer implements ServiceImpl<typeof SignerService> {
  private payloads: Promise<PayloadRpcs> | undefined;

  constructor(private readonly deps: SignerDeps) {}

  /**
   * Transactions, typed data, authorizations (src/signer/sign-payloads.ts), loaded on first use: viem and the
   * Solana codecs cost ~200 ms and ~30 MB per process, which a process that never signs one should not pay.
   */
  private loadPayloads(): Promise<PayloadRpcs> {
    this.payloads ??= import("./sign-payloads.js").then((m) => m.payloadSigners(this.deps));
    // A failed load is retried by the next call rather than remembered.
    this.payloads.catch(() => (this.payloads = undefined));
    return this.payloads;
  }

  async signTransaction(req: SignTransactionRequest, ctx: HandlerContext): Promise<SignTransactionResponse> {
    return (await this.loadPayloads()).signTransaction(req, ctx) as Promise<SignTransactionResponse>;
  }

  async signTypedData(req: SignTypedDataRequest, ctx: HandlerContext): Promise<SignTypedDataResponse> {
    return (await this.loadPayloads()).signTypedData(req, ctx) as Promise<SignTypedDataResponse>;
  }

  async signAuthorization(req: SignAuthorizationRequest, ctx: HandlerContext): Promise<SignAuthorizationResponse> {
    return (await this.loadPayloads()).signAuthorization(req, ctx) as Promise<SignAuthorizationResponse>;
  }

  async signSolanaTransaction(req: SignSolanaTransactionRequest, ctx: HandlerContext): Promise<SignSolanaTransactionResponse> {
    return (await this.loadPayloads()).signSolanaTransaction(req, ctx) as Promise<SignSolanaTransactionResponse>;
  }

  async signMessage(req: SignMessageRequest, ctx: HandlerContext): Promise<SignMessageResponse> {
    const validated = validateSignMessageRequest(req, this.deps.limits);
    const { session, wallet, bytes } = validated;
    return signingCall(
      this.deps,
      ctx,
      {
        method: "SignMessage",
        request: { schema: SignMessageRequestSchema, message: req },
        response: SignMessageResponseSchema,
        session,
        wallets: [wallet.id],
        signs: 1,
      },
      async (acting) => {
        const signed = await acting.sign({
          walletId: wallet.id,
          walletType: wallet.type,
          payload: { kind: "message", messageBase64: Buffer.from(bytes).toString("base64") },
          attributes: { [ATTR_PARA_SIGN_KIND]: "message", [ATTR_PARA_MESSAGE_LENGTH]: req.message.length },
        });
        return signMessageResponse(validated, signed);
      },
    );
  }

  async signMessages(req: SignMessagesRequest, ctx: HandlerContext): Promise<SignMessagesResponse> {
    return signMessages(this.deps, req, ctx);
  }

  async awaitReview(req: AwaitReviewRequest, ctx: HandlerContext): Promise<AwaitReviewResponse> {
    const { session, pendingTransactionId } = validateAwaitReviewRequest(req, this.deps.limits);
    // Answer "still pending" a little before the caller's deadline (the server's cap applies when it sent none).
    const window = reviewDeadline(ctx.timeoutMs() ?? this.deps.limits.maxTimeoutMs);
    const status = await this.deps.gateway.awaitReview(session, pendingTransactionId, window, callScopeOf(ctx));
    return create(AwaitReviewResponseSchema, { pendingTransactionId, status });
  }

  async checkSession(req: CheckSessionRequest, ctx: HandlerContext): Promise<CheckSessionResponse> {
    const { session } = validateCheckSessionRequest(req, this.deps.limits);
    const exportAs = req.returnSession ? { excludeSigners: req.excludeSigners } : undefined;
    const state = await this.deps.gateway.checkSession(session, req.extend, callScopeOf(ctx), exportAs);
    const { active, extended, identity } = state;
    if (!identity) return create(CheckSessionResponseSchema, { active, extended });
    // Who the user is and which wallets are theirs: Para's answers only. has_signer is the one fact the session
    // itself holds (whether it carries the wallet's signer share).
    const signers = new Set(session.wallets.filter((w) => w.hasSigner).map((w) => w.id));
    return create(CheckSessionResponseSchema, {
      active,
      extended,
      userId: identity.userId,
      ...(identity.auth ? { auth: authToProto(identity.auth) } : {}),
      wallets: identity.wallets.map((w) => paraWalletToProto(w, signers.has(w.id))),
      ...(state.session !== undefined ? { session: state.session } : {}),
    });
  }

  async issueJwt(req: IssueJwtRequest, ctx: HandlerContext): Promise<IssueJwtResponse> {
    const { session } = validateIssueJwtRequest(req, this.deps.limits);
    const issued = await this.deps.gateway.issueJwt(session, callScopeOf(ctx));
    // Verify what Para handed us before passing it on, and report its claims.
    const claims = await this.deps.jwt.verify(issued.token, callTrace(ctx.values));
    // Para issued the token for the session's cookie: a blob naming another user is a rewritten one.
    if (claims.userId !== session.userId) throw sessionMismatch("user");
    return create(IssueJwtResponseSchema, {
      token: issued.token,
      keyId: claims.keyId || issued.keyId,
      expiresAt: timestampFromDate(claims.expiresAt),
      claims: create(JwtClaimsSchema, {
        userId: claims.userId,
        auth: authToProto(claims),
        wallets: walletsOf(claims),
        audience: claims.audience,
      }),
    });
  }

  async verifySession(req: VerifySessionRequest, ctx: HandlerContext): Promise<VerifySessionResponse> {
    const credential = validateVerifySessionRequest(req, this.deps.limits);
    if (credential.kind === "verificationToken") {
      const verified = await this.deps.rest.verifySession(credential.verificationToken, callScopeOf(ctx));
      return create(VerifySessionResponseSchema, { auth: authToProto(verified), userId: verified.userId });
    }
    const claims = await this.deps.jwt.verify(credential.jwt, callTrace(ctx.values));
    return create(VerifySessionResponseSchema, {
      auth: authToProto(claims),
      userId: claims.userId,
      wallets: walletsOf(claims),
      expiresAt: timestampFromDate(claims.expiresAt),
    });
  }

  async verifyWallet(req: VerifyWalletRequest, ctx: HandlerContext): Promise<VerifyWalletResponse> {
    const { address } = validateVerifyWalletRequest(req, this.deps.limits);
    const walletId = await this.deps.rest.verifyWallet(address, callScopeOf(ctx));
    return create(VerifyWalletResponseSchema, { walletId });
  }
}

function walletsOf(claims: ParaJwtClaims) {
  return claims.wallets.map((w) => create(WalletSchema, { id: w.id, type: walletTypeToProto(w.type), address: w.address, publicKey: w.publicKey }));
}
