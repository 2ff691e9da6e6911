import { ConnectError } from "@connectrpc/connect";
import { type Context, context } from "@opentelemetry/api";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  internalError,
  paraAnswerMalformed,
  reviewDenied,
  reviewRequired,
  reviewStillPending,
  sessionInactive,
  sessionNotExtended,
  walletNotFound,
} from "../errors/error-model.js";
import { bounded } from "./bounded.js";
import type { CallScope } from "./call-scope.js";
import { isParaOutage, mapParaError } from "./para-errors.js";
import type { ParaInstance, ParaSessionCheck, ParaWallet } from "./para-sdk.js";
import type { ParaRestClient } from "./para-rest.js";
import type { RecentRefusals } from "./recent-refusals.js";
import type { ValidSession } from "./session-codec.js";
import { type ConfirmedIdentity, isSettledRefusal, type SessionIdentity } from "./session-identity.js";
import { SigningQuarantine } from "./signing-quarantine.js";
import { type ReviewState, type ReviewWindow, waitForReview } from "./review-wait.js";
import type { ReviewWaits } from "./review-waits.js";
import type { SigningWorkerSupervisor } from "./signing-worker.js";
import { PARA_COST, type ParaAdmission } from "./para-admission.js";
import type { ParaTelemetry } from "./para-telemetry.js";
import { ATTR_PARA_WALLET_TYPE } from "../telemetry/semconv.js";

/** Hands out one fresh, never-reused SDK instance per call. */
export interface ParaInstanceSource {
  /** Reads the active trace context synchronously, before it returns: call it inside the call's `context.with`. */
  acquire(signal: AbortSignal): Promise<ParaInstance>;
  /** The call is done with the instance (never used again); a source that holds nothing for it needs no release. */
  release?(instance: ParaInstance): void;
}

export interface GatewayOptions {
  instances: ParaInstanceSource & { readonly size: number };
  admission: ParaAdmission;
  worker: Pick<SigningWorkerSupervisor, "run">;
  identity: SessionIdentity;
  /** Para's REST verify endpoints (auth info for a session's verification token). */
  rest: ParaRestClient;
  /** Sessions (and signers) refused a moment ago, refused again without any Para work. */
  refusals: RecentRefusals;
  /** Cap on each SDK call, on top of the caller's deadline. */
  callTimeoutMs: number;
  /** AwaitReview calls waiting, per user. */
  reviewWaits: ReviewWaits;
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

/** One signing job of a call: which wallet signs what. */
export interface SignItem {
  /** A wallet of the session (every wallet the session names is confirmed with Para before signing). */
  walletId: string;
  walletType: string;
  payload: SignPayload;
  /**
   * Span attributes of the signing step: shapes only (lengths, chain id, envelope type), never content. The
   * wallet type is added here.
   */
  attributes: Record<string, string | number>;
}

export interface SignJob extends SignItem {
  session: ValidSession;
  keepAlive: boolean;
}

export interface Signed {
  /** The worker's raw signature (hex r‖s‖v, or base64 ed25519). */
  signature: string;
  /** The wallet that signed, as Para lists it: its address is Para's, never the session's. */
  wallet: ParaWallet;
}

/** What a call that acts with a session will ask of Para, admitted up front. */
export interface ActingPlan {
  /** Signing jobs it may run: the first is admitted up front; later ones (a batch) are paced by the budget. */
  signs: number;
  keepAlive: boolean;
}

/**
 * A session Para has confirmed (active, and its blob agreeing with Para), open for one call. Every method runs
 * on the call's own SDK instance and is bounded like the call's other SDK work.
 */
export interface ActingSession {
  /** The Para-confirmed user. */
  readonly userId: string;
  /** Extends the session; throws UNAUTHENTICATED when Para refuses, UNAVAILABLE when Para fails. */
  keepAlive(): Promise<void>;
  /** One signing job; a refused signer is held (SIGNING_REFUSED) and refused again without Para work. */
  sign(item: SignItem): Promise<Signed>;
  /** The session as Para now knows it (a rotated session id included): a secret, like the caller's. */
  exportSession(excludeSigners: boolean): Promise<string>;
  /**
   * One poll of a pending transaction review of this user (a Para round trip, paced by the budget), traced under
   * `trace` (by default the call's own context).
   */
  reviewState(pendingTransactionId: string, trace?: Context): Promise<ReviewState>;
}

export interface SessionState {
  active: boolean;
  extended: boolean;
  /** Para's view of the session's user; only for an active session. */
  identity: ConfirmedIdentity | undefined;
  /** The session re-exported after the check, when asked (a secret). */
  session?: string;
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
  async sign(job: SignJob, call: CallScope): Promise<Signed> {
    return this.act(job.session, { signs: 1, keepAlive: job.keepAlive }, call, [job.walletId], async (acting) => {
      if (job.keepAlive) await acting.keepAlive();
      return acting.sign(job);
    });
  }

  /**
   * Opens the session on a fresh instance, checks it is active and confirms with Para whose it is (a rewritten
   * blob is refused here, before any signing job exists), then hands it to `use` for the call's work. Admitted
   * toward Para's budget up front for the plan's round trips.
   */
  async act<T>(session: ValidSession, plan: ActingPlan, call: CallScope, wallets: readonly string[], use: (acting: ActingSession) => Promise<T>): Promise<T> {
    this.options.refusals.refuseIfHeld(session.key);
    // A signer refused a moment ago is refused again before any Para work.
    for (const walletId of wallets) this.options.refusals.refuseIfHeld(signerKey(session, walletId));
    const prepaid = this.identityCost(session, false);
    const cost = PARA_COST.touch + prepaid + (plan.keepAlive ? PARA_COST.keepAlive : 0) + Math.min(plan.signs, 1) * PARA_COST.sign;
    return this.remembered(session, () =>
      this.admitted(cost, () =>
        this.opened(session, call, async (para) => {
          const check = await this.call(para, () => para.checkSession(), call, "session check");
          if (!check.active) throw sessionInactive();
          const identity = await this.confirm(para, session, check, false, prepaid, call);
          return use(this.acting(para, session, identity, Math.min(plan.signs, 1), call));
        }),
      ),
    );
  }

  private acting(para: ParaInstance, session: ValidSession, identity: ConfirmedIdentity, prepaidSigns: number, call: CallScope): ActingSession {
    let signs = 0;
    return {
      userId: identity.userId,
      keepAlive: () => this.keepAlive(para, call),
      sign: async (item) => {
        const signer = signerKey(session, item.walletId);
        this.options.refusals.refuseIfHeld(signer);
        // The first job was admitted with the call; later ones wait for budget at the sustained rate.
        if (signs++ >= prepaidSigns) await this.options.admission.reserve(PARA_COST.sign, call.signal);
        try {
          return await this.signWith(para, identity, item, call);
        } catch (error) {
          if (reasonOf(error) === "SIGNING_REFUSED") this.options.refusals.remember(signer, error as ConnectError);
          throw error;
        }
      },
      exportSession: (excludeSigners) => this.exported(para, excludeSigners, call),
      reviewState: async (pendingTransactionId, trace = call.trace) => {
        await this.options.admission.reserve(PARA_COST.rest, call.signal);
        const polled = await this.call(
          para,
          () => para.pendingTransaction(identity.userId, pendingTransactionId, call.signal),
          { ...call, trace },
          "review poll",
        );
        return polled.state;
      },
    };
  }

  /**
   * Waits for the user's decision on a transaction review Para asked for (AwaitReview): only the session's own,
   * Para-confirmed user's pending transactions can be awaited. Approved: resolves (the caller then re-sends its
   * request); denied: PERMISSION_DENIED REVIEW_DENIED; still pending when the window closes: DEADLINE_EXCEEDED with the id.
   */
  async awaitReview(session: ValidSession, pendingTransactionId: string, window: ReviewWindow, call: CallScope): Promise<"approved"> {
    return this.act(session, { signs: 0, keepAlive: false }, call, [], async (acting) => {
      const leave = this.options.reviewWaits.enter(acting.userId);
      let state: ReviewState;
      try {
        state = await this.options.telemetry.step("para.review.wait", {}, call.trace, (trace) =>
          waitForReview(() => acting.reviewState(pendingTransactionId, trace), { signal: call.signal, ...window }),
        );
      } finally {
        leave();
      }
      if (state === "denied") throw reviewDenied(pendingTransactionId);
      if (state === "pending") throw reviewStillPending(pendingTransactionId);
      return state;
    });
  }

  private async exported(para: ParaInstance, excludeSigners: boolean, call: CallScope): Promise<string> {
    try {
      return await context.with(call.trace, () => para.exportSession({ excludeSigners }));
    } catch (error) {
      throw mapParaError(error, "session export", para.lastFailure());
    }
  }

  private async keepAlive(para: ParaInstance, call: CallScope): Promise<void> {
    if (await this.call(para, () => para.keepSessionAlive(), call, "keep-alive")) return;
    // The SDK answers false for any failure; only Para's refusal means the session is the problem.
    const failure = para.lastFailure();
    if (failure && (isParaOutage(failure.status) || failure.status === 429)) {
      throw mapParaError(new Error("keep-alive failed"), "keep-alive", failure);
    }
    throw sessionNotExtended();
  }

  private async signWith(para: ParaInstance, identity: ConfirmedIdentity, item: SignItem, call: CallScope): Promise<Signed> {
    const wallet = identity.wallets.find((w) => w.id === item.walletId);
    if (!wallet) throw walletNotFound("para");
    try {
      await context.with(call.trace, () => para.assertWallet(item.walletId));
    } catch (error) {
      throw mapParaError(error, "wallet lookup", para.lastFailure());
    }
    // The supervisor must see the SDK's own errors (to tell a worker crash), so map after it.
    const { worker, callTimeoutMs, telemetry } = this.options;
    const attributes = { ...item.attributes, [ATTR_PARA_WALLET_TYPE]: item.walletType };
    const signer = SigningQuarantine.keyOf(identity.userId, wallet.id);
    const { payload } = item;
    const outcome = await this.call(
      para,
      // The supervisor gets the SDK's own job (it must know when the worker is really done with it); this call's
      // wait is bounded around it, by the caller's deadline and the cap. The supervisor may start the job later
      // (after a worker restart): the job enters the signing step's context itself.
      () =>
        telemetry.step("para.sign", attributes, call.trace, (trace) => {
          const sdkJob = () =>
            context.with(trace, () =>
              payload.kind === "message"
                ? para.sign(item.walletId, payload.messageBase64)
                : para.signTransaction(item.walletId, payload.transactionBase64, payload.chainId),
            );
          return bounded(worker.run(sdkJob, signer, call.signal), call.signal, callTimeoutMs, "sign");
        }),
      call,
      "sign",
    );
    if (outcome.pendingTransactionId) {
      throw reviewRequired(outcome.pendingTransactionId);
    }
    if (!outcome.signature) throw paraAnswerMalformed("sign", "returned no signature");
    return { signature: outcome.signature, wallet };
  }

  /**
   * Para's view of the session, extended when asked; with `exportAs`, the session re-exported afterwards (Para
   * may have rotated its id on keep-alive).
   */
  async checkSession(session: ValidSession, extend: boolean, call: CallScope, exportAs?: { excludeSigners: boolean }): Promise<SessionState> {
    this.options.refusals.refuseIfHeld(session.key);
    const prepaid = this.identityCost(session, true);
    return this.remembered(session, () =>
      this.admitted(PARA_COST.touch + prepaid + (extend ? PARA_COST.keepAlive : 0), () =>
        this.opened(session, call, async (para): Promise<SessionState> => {
          const check = await this.call(para, () => para.checkSession(), call, "session check");
          // Reporting an inactive session is CheckSession's job; Para confirmed nobody, so nobody is named.
          if (!check.active) return { active: false, extended: false, identity: undefined };
          const identity = await this.confirm(para, session, check, true, prepaid, call);
          const extended = extend ? await this.call(para, () => para.keepSessionAlive(), call, "keep-alive") : false;
          const state: SessionState = { active: true, extended, identity };
          if (exportAs) state.session = await this.exported(para, exportAs.excludeSigners, call);
          return state;
        }),
      ),
    );
  }

  async issueJwt(session: ValidSession, call: CallScope): Promise<{ token: string; keyId: string }> {
    this.options.refusals.refuseIfHeld(session.key);
    return this.admitted(PARA_COST.jwt, () =>
      this.opened(session, call, async (para) => {
        const issued = await this.call(para, () => para.issueJwt(), call, "jwt issue");
        if (!issued.token) throw internalError("para issued no jwt");
        return issued;
      }),
    );
  }

  /**
   * Remembers a refusal a caller could repeat for free otherwise: a session whose blob contradicts Para (held by
   * its cookie). Signers Para refused are held by the acting session's sign().
   */
  private async remembered<T>(session: ValidSession, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Only a mismatch decided on Para's answer to this call: one from a cached or shared list may be a race
      // with a wallet created a moment ago, and must not lock a valid session out.
      if (reasonOf(error) === "SESSION_MISMATCH" && isSettledRefusal(error as ConnectError)) this.options.refusals.remember(session.key, error as ConnectError);
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
  private confirm(para: ParaInstance, session: ValidSession, check: ParaSessionCheck, withAuth: boolean, prepaid: number, call: CallScope) {
    const { identity, admission, rest, telemetry } = this.options;
    let unspent = prepaid;
    const pay = () => {
      if (unspent > 0) unspent--;
      else admission.charge(PARA_COST.wallets);
    };
    return telemetry.step("para.session.confirm", {}, call.trace, (trace) =>
      identity.confirm(
        session,
        check,
        {
          fetchWallets: () => {
            pay();
            return this.call(para, () => para.fetchWallets(), { ...call, trace }, "wallet list");
          },
          ...(rest.configured
            ? {
                verifyToken: (token: string) => {
                  pay();
                  return rest.verifySession(token, { ...call, trace }, true);
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

  /**
   * A fresh instance with the session imported, for `use` alone: handed back to its source afterwards (an SDK
   * thread then forgets it at once), however `use` ends.
   */
  private async opened<T>(session: ValidSession, call: CallScope, use: (para: ParaInstance) => Promise<T>): Promise<T> {
    const { instances, telemetry } = this.options;
    const para = await telemetry.step("para.session.import", {}, call.trace, async (trace) => {
      const fresh = await context.with(trace, () => instances.acquire(call.signal));
      try {
        await this.call(fresh, () => fresh.importSession(session.canonical), { ...call, trace }, "session import");
      } catch (error) {
        instances.release?.(fresh);
        throw error;
      }
      return fresh;
    });
    try {
      return await use(para);
    } finally {
      instances.release?.(para);
    }
  }

  /**
   * Starts `start` (an SDK operation) inside the call's trace context, where the operation reads it (synchronously)
   * for its round trips, and bounds it by the call's deadline and the cap.
   */
  private async call<T>(para: ParaInstance, start: () => Promise<T>, call: CallScope, what: string): Promise<T> {
    try {
      return await bounded(context.with(call.trace, start), call.signal, this.options.callTimeoutMs, what);
    } catch (error) {
      throw mapParaError(error, what, para.lastFailure());
    }
  }
}

/** A session's signer: held by the session's cookie and the wallet. */
function signerKey(session: ValidSession, walletId: string): string {
  return `${session.key}:${walletId}`;
}

function reasonOf(error: unknown): string | undefined {
  return error instanceof ConnectError ? error.findDetails(ErrorInfoSchema)[0]?.reason : undefined;
}
