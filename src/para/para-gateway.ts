import { Code, ConnectError } from "@connectrpc/connect";
import { unauthenticated, withReason } from "../errors.js";
import { bounded } from "./bounded.js";
import { isParaOutage, mapParaError } from "./para-errors.js";
import type { ParaInstance } from "./para-sdk.js";
import type { ValidSession } from "./session-codec.js";
import type { SigningWorkerSupervisor } from "./signing-worker.js";
import { PARA_COST, type ParaAdmission } from "./para-admission.js";
import type { ParaTelemetry } from "../telemetry/para-telemetry.js";
import { ATTR_PARA_MESSAGE_LENGTH, ATTR_PARA_WALLET_TYPE } from "../telemetry/semconv.js";

/** Hands out one fresh, never-reused SDK instance per call. */
export interface ParaInstanceSource {
  acquire(signal: AbortSignal): Promise<ParaInstance>;
}

export interface GatewayOptions {
  instances: ParaInstanceSource & { readonly size: number };
  admission: ParaAdmission;
  worker: SigningWorkerSupervisor;
  /** Cap on each SDK call, on top of the caller's deadline. */
  callTimeoutMs: number;
  telemetry: ParaTelemetry;
}

export interface SignJob {
  session: ValidSession;
  walletId: string;
  walletType: string;
  messageBase64: string;
  keepAlive: boolean;
}

/**
 * The Para boundary for calls that act with a user's session. Every method
 * imports the session into its own instance, bounds each SDK call, and maps
 * every SDK outcome to a ConnectError; nothing here is shared between calls
 * except the SDK's signing worker, which the supervisor guards.
 */
export class ParaGateway {
  constructor(private readonly options: GatewayOptions) {}

  /** Signs after checking (and, unless told not to, extending) the session. Returns the worker's raw signature. */
  sign(job: SignJob, signal: AbortSignal): Promise<string> {
    return this.admitted(PARA_COST.touch + (job.keepAlive ? PARA_COST.keepAlive : 0) + PARA_COST.sign, () => this.signAdmitted(job, signal));
  }

  private async signAdmitted(job: SignJob, signal: AbortSignal): Promise<string> {
    const para = await this.open(job.session, signal);
    await this.requireActive(para, signal);
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
    const attributes = { [ATTR_PARA_WALLET_TYPE]: job.walletType, [ATTR_PARA_MESSAGE_LENGTH]: Buffer.byteLength(job.messageBase64, "base64") };
    const outcome = await this.call(
      para,
      telemetry.step("para.sign", attributes, () =>
        worker.run(() => bounded(para.sign(job.walletId, job.messageBase64), signal, callTimeoutMs, "sign")),
      ),
      signal,
      "sign",
    );
    if (outcome.pendingTransactionId) {
      throw withReason(Code.FailedPrecondition, "para requires the user to review this request", "TRANSACTION_REVIEW_REQUIRED", {
        pendingTransactionId: outcome.pendingTransactionId,
      });
    }
    if (!outcome.signature) throw new ConnectError("para sign returned no signature", Code.Internal);
    return outcome.signature;
  }

  checkSession(session: ValidSession, extend: boolean, signal: AbortSignal): Promise<{ active: boolean; extended: boolean }> {
    return this.admitted(PARA_COST.touch + (extend ? PARA_COST.keepAlive : 0), async () => {
      const para = await this.open(session, signal);
      const active = await this.call(para, para.isSessionActive(), signal, "session check");
      const extended = active && extend ? await this.call(para, para.keepSessionAlive(), signal, "keep-alive") : false;
      return { active, extended };
    });
  }

  issueJwt(session: ValidSession, signal: AbortSignal): Promise<{ token: string; keyId: string }> {
    return this.admitted(PARA_COST.jwt, async () => {
      const para = await this.open(session, signal);
      const issued = await this.call(para, para.issueJwt(), signal, "jwt issue");
      if (!issued.token) throw new ConnectError("para issued no jwt", Code.Internal);
      return issued;
    });
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

  private async requireActive(para: ParaInstance, signal: AbortSignal): Promise<void> {
    if (!(await this.call(para, para.isSessionActive(), signal, "session check"))) throw unauthenticated("session is not active");
  }

  private async call<T>(para: ParaInstance, work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
    try {
      return await bounded(work, signal, this.options.callTimeoutMs, what);
    } catch (error) {
      throw mapParaError(error, what, para.lastFailure());
    }
  }
}
