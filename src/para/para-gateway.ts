import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { unauthenticated, withReason } from "../errors/error-model.js";
import { bounded } from "./bounded.js";
import { isParaOutage, mapParaError } from "./para-errors.js";
import type { ParaInstance, ParaSessionCheck, ParaWallet } from "./para-sdk.js";
import type { ParaRestClient } from "./para-rest.js";
import type { RecentRefusals } from "./recent-refusals.js";
import type { ValidSession } from "./session-codec.js";
import { type ConfirmedIdentity, isSettledRefusal, type SessionIdentity } from "./session-identity.js";
import { SigningQuarantine } from "./signing-quarantine.js";
import type { SigningWorkerSupervisor } from "./signing-worker.js";
import { PARA_COST, type ParaAdmission } from "./para-admission.js";
import type { ParaTelemetry } from "./para-telemetry.js";
import { ATTR_PARA_WALLET_TYPE } from "../telemetry/semconv.js";

/** Hands out one fresh, never-reused SDK instance per call. */
export interface ParaInstanceSource {
  acquire(signal: AbortSignal): Promise<ParaInstance>;
}

export interface GatewayOptions {
  instances: ParaInstanceSource & { readonly size: number };
  admission: ParaAdmission;
  worker: SigningWorkerSupervisor;
  identity: SessionIdentity;
  /** Para's REST verify endpoints (auth info for a session's verification token). */
  rest: ParaRestClient;
  /** Sessions (and signers) refused a moment ago, refused again without any Para work. */
  refusals: RecentRefusals;
  /** Cap on each SDK call, on top of the caller's deadline. */
  callTimeoutMs: number;
  telemetry: ParaTelemetry;
}

/** What the wallet signs: bytes through Para's message route, or an EVM transaction through its transaction route. */
export type SignPayload =
  | {
      kind: "message";
      /** The bytes the wallet signs, base64 (for secp256k1 wallets a 32-byte digest). */
      messageBase64: string;
    }
  | {
      kind: "transaction";
      /** The EVM transaction as Para's transaction route takes it (see sign-payloads.ts paraTransactionForm), base64. */
      transactionBase64: string;
      /** Its chain id, decimal. */
      chainId: string;
    };

export interface SignJob {
  session: ValidSession;
  /** A wallet of the session (every wallet the session names is confirmed with Para before signing). */
  walletId: string;
  walletType: string;
  payload: SignPayload;
  /**
   * Span attributes of the signing step: shapes only (lengths, chain id, envelope type), never content. The
   * wallet type is added here.
   */
  attributes: Record<string, string | number>;
  keepAlive: boolean;
}

export interface Signed {
  /** The worker's raw signature (hex r‖s‖v, or base64 ed25519). */
  signature: string;
  /** The wallet that signed, as Para lists it: its address is Para's, never the session's. */
  wallet: ParaWallet;
}

export interface SessionState {
  active: boolean;
  extended: boolean;
  /** Para's view of the session's user; only for an active session. */
  identity: ConfirmedIdentity | undefined;
}

/**
 * The Para boundary for calls that act with a user's session. Every method
 * imports the session into its own instance, confirms with Para who the
 * session belongs to (SessionIdentity), bounds each SDK call, and maps every
 * SDK outcome to a ConnectError; nothing here is shared between calls except
 * the SDK's signing worker, which the supervisor guards.
 */
export class ParaGateway {
  constructor(private readonly options: GatewayOptions) {}

  /**
   * Signs after checking (and, unless told not to, extending) the session: one path for every signing RPC
   * (messages, EVM transactions, typed data, authorizations, Solana transactions), so confirmation, keep-alive,
   * the wallet check, supervision and the mapping of Para's answers are the same for all.
   */
  async sign(job: SignJob, signal: AbortSignal): Promise<Signed> {
    const signer = `${job.session.key}:${job.walletId}`;
    this.options.refusals.refuseIfHeld(job.session.key);
    this.options.refusals.refuseIfHeld(signer);
    const prepaid = this.identityCost(job.session, false);
    const cost = PARA_COST.touch + prepaid + (job.keepAlive ? PARA_COST.keepAlive : 0) + PARA_COST.sign;
    return this.remembered(job.session, signer, () => this.admitted(cost, () => this.signAdmitted(job, prepaid, signal)));
  }

  private async signAdmitted(job: SignJob, prepaid: number, signal: AbortSignal): Promise<Signed> {
    const para = await this.open(job.session, signal);
    const check = await this.call(para, para.checkSession(), signal, "session check");
    if (!check.active) throw unauthenticated("session is not active");
    // Before anything acts on the session: a rewritten blob is refused here, before a signing job exists.
    const identity = await this.confirm(para, job.session, check, false, prepaid, signal);
    const wallet = identity.wallets.find((w) => w.id === job.walletId);
    if (!wallet) throw new ConnectError("wallet not found in session", Code.NotFound);
    if (job.keepAlive && !(await this.call(para, para.keepSessionAlive(), signal, "keep-alive"))) {
      // The SDK answers false for any failure; only Para's refusal means the session is the problem.
      const failure = para.lastFailure();
      if (failure && (isParaOutage(failure.status) || failure.status === 429)) {
        throw mapParaError(new Error("keep-alive failed"), "keep-alive", failure);
      }
      throw unauthenticated("session could not be extended");
    }
    try {
      para.assertWallet(job.walletId);
    } catch (error) {
      throw mapParaError(error, "wallet lookup", para.lastFailure());
    }
    // The supervisor must see the SDK's own errors (to tell a worker crash), so map after it.
    const { worker, callTimeoutMs, telemetry } = this.options;
    const attributes = { ...job.attributes, [ATTR_PARA_WALLET_TYPE]: job.walletType };
    const signer = SigningQuarantine.keyOf(identity.userId, wallet.id);
    const { payload } = job;
    const sdkJob = () =>
      payload.kind === "message"
        ? para.sign(job.walletId, payload.messageBase64)
        : para.signTransaction(job.walletId, payload.transactionBase64, payload.chainId);
    const outcome = await this.call(
      para,
      // The supervisor gets the SDK's own job (it must know when the worker is really done with it); this call's
      // wait is bounded around it, by the caller's deadline and the cap.
      telemetry.step("para.sign", attributes, () => bounded(worker.run(sdkJob, signer, signal), signal, callTimeoutMs, "sign")),
      signal,
      "sign",
    );
    if (outcome.pendingTransactionId) {
      throw withReason(Code.FailedPrecondition, "para requires the user to review this request", "TRANSACTION_REVIEW_REQUIRED", {
        pendingTransactionId: outcome.pendingTransactionId,
      });
    }
    if (!outcome.signature) throw new ConnectError("para sign returned no signature", Code.Internal);
    return { signature: outcome.signature, wallet };
  }

  async checkSession(session: ValidSession, extend: boolean, signal: AbortSignal): Promise<SessionState> {
    this.options.refusals.refuseIfHeld(session.key);
    const prepaid = this.identityCost(session, true);
    return this.remembered(session, undefined, () =>
      this.admitted(PARA_COST.touch + prepaid + (extend ? PARA_COST.keepAlive : 0), async () => {
        const para = await this.open(session, signal);
        const check = await this.call(para, para.checkSession(), signal, "session check");
        // Reporting an inactive session is CheckSession's job; Para confirmed nobody, so nobody is named.
        if (!check.active) return { active: false, extended: false, identity: undefined };
        const identity = await this.confirm(para, session, check, true, prepaid, signal);
        const extended = extend ? await this.call(para, para.keepSessionAlive(), signal, "keep-alive") : false;
        return { active: true, extended, identity };
      }),
    );
  }

  async issueJwt(session: ValidSession, signal: AbortSignal): Promise<{ token: string; keyId: string }> {
    this.options.refusals.refuseIfHeld(session.key);
    return this.admitted(PARA_COST.jwt, async () => {
      const para = await this.open(session, signal);
      const issued = await this.call(para, para.issueJwt(), signal, "jwt issue");
      if (!issued.token) throw new ConnectError("para issued no jwt", Code.Internal);
      return issued;
    });
  }

  /**
   * Remembers the refusals a caller could repeat for free otherwise: a session whose blob contradicts Para
   * (held by its cookie), and a signer whose job Para refused (held by cookie and wallet).
   */
  private async remembered<T>(session: ValidSession, signer: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConnectError) {
        const reason = error.findDetails(ErrorInfoSchema)[0]?.reason;
        // Only a mismatch decided on Para's answer to this call: one from a cached or shared list may be a race
        // with a wallet created a moment ago, and must not lock a valid session out.
        if (reason === "SESSION_MISMATCH" && isSettledRefusal(error)) this.options.refusals.remember(session.key, error);
        if (reason === "SIGNING_REFUSED" && signer) this.options.refusals.remember(signer, error);
      }
      throw error;
    }
  }

  /** Round trips the identity check is expected to need (admitted up front with the call's own). */
  private identityCost(session: ValidSession, withAuth: boolean): number {
    return this.options.identity.expectedRoundTrips(session, withAuth, this.options.rest.configured);
  }

  /**
   * Para's answers about the session's user, each extra round trip bounded like the call's own: paid from what
   * the call was admitted with (`prepaid`), else charged to the rate budget then.
   */
  private confirm(para: ParaInstance, session: ValidSession, check: ParaSessionCheck, withAuth: boolean, prepaid: number, signal: AbortSignal) {
    const { identity, admission, rest, telemetry } = this.options;
    let unspent = prepaid;
    const pay = () => {
      if (unspent > 0) unspent--;
      else admission.charge(PARA_COST.wallets);
    };
    return telemetry.step("para.session.confirm", {}, () =>
      identity.confirm(
        session,
        check,
        {
          fetchWallets: () => {
            pay();
            return this.call(para, para.fetchWallets(), signal, "wallet list");
          },
          ...(rest.configured
            ? {
                verifyToken: (token: string) => {
                  pay();
                  return rest.verifySession(token, signal, true);
                },
              }
            : {}),
        },
        withAuth,
      ),
    );
  }

  /**
   * Runs `work` under admission toward Para: the call's own round trips, plus a construction when no pre-built
   * instance waits. Refused at once (RESOURCE_EXHAUSTED) when over the limits.
   */
  private async admitted<T>(cost: number, work: () => Promise<T>): Promise<T> {
    const release = this.options.admission.enter(cost + (this.options.instances.size > 0 ? 0 : PARA_COST.construction));
    try {
      return await work();
    } finally {
      release();
    }
  }

  private async open(session: ValidSession, signal: AbortSignal): Promise<ParaInstance> {
    return this.options.telemetry.step("para.session.import", {}, async () => {
      const para = await this.options.instances.acquire(signal);
      await this.call(para, para.importSession(session.canonical), signal, "session import");
      return para;
    });
  }

  private async call<T>(para: ParaInstance, work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
    try {
      return await bounded(work, signal, this.options.callTimeoutMs, what);
    } catch (error) {
      throw mapParaError(error, what, para.lastFailure());
    }
  }
}
