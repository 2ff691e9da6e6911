import { ConnectError } from "@connectrpc/connect";
import { context } from "@opentelemetry/api";
import {
  addressNotFound,
  paraAnswerMalformed,
  paraTimedOut,
  secretKeyNotConfigured,
  secretKeyRefused,
  verificationTokenInvalid,
} from "../errors/error-model.js";
import type { CallScope } from "./call-scope.js";
import type { Fetch, ParaTelemetry } from "./para-telemetry.js";
import { PARA_COST, type ParaAdmission } from "./para-admission.js";
import { fromStatus } from "./para-errors.js";

/**
 * Para's REST verify endpoints, called with the secret API key over the
 * global fetch (undici: pooled keep-alive connections), each call bounded by
 * the caller's signal and a cap. Response bodies are never copied into
 * errors: Para may echo the token.
 */

export interface VerifiedToken {
  authType: string;
  identifier: string;
  oAuthMethod: string;
  userId: string;
}

export class ParaRestClient {
  private readonly fetchers: Record<"/sessions/verify" | "/wallets/verify", Fetch>;

  constructor(
    private readonly baseUrl: string,
    private readonly secretApiKey: string | undefined,
    private readonly timeoutMs: number,
    telemetry: ParaTelemetry,
    private readonly admission: ParaAdmission,
  ) {
    this.fetchers = {
      "/sessions/verify": telemetry.fetchFor("sessions_verify"),
      "/wallets/verify": telemetry.fetchFor("wallets_verify"),
    };
  }

  /** Whether the verify endpoints can be called (the secret API key is configured). */
  get configured(): boolean {
    return Boolean(this.secretApiKey);
  }

  /**
   * Para's verdict on a verification token. `within`: the round trip belongs to a call already admitted toward
   * Para, which pays for it (it is not admitted as another call).
   */
  async verifySession(verificationToken: string, call: CallScope, within = false): Promise<VerifiedToken> {
    const res = await this.post("/sessions/verify", { verificationToken }, call, "session verify", within);
    if (res.status === 403 || res.status === 404 || res.status === 410) {
      // Drained, so the pooled connection to Para is free again at once (callers can send garbage tokens at will).
      await res.body?.cancel();
      throw verificationTokenInvalid();
    }
    const body = await this.json(res, "session verify");
    return {
      authType: str(body["authType"]),
      identifier: str(body["identifier"]),
      oAuthMethod: str(body["oAuthMethod"] ?? body["oauthMethod"]),
      userId: str(body["userId"]),
    };
  }

  async verifyWallet(address: string, call: CallScope): Promise<string> {
    const res = await this.post("/wallets/verify", { address }, call, "wallet verify");
    if (res.status === 404) {
      await res.body?.cancel();
      throw addressNotFound();
    }
    const walletId = str((await this.json(res, "wallet verify"))["walletId"]);
    if (!walletId) throw paraAnswerMalformed("wallet verify", "returned no wallet id");
    return walletId;
  }

  private async post(path: "/sessions/verify" | "/wallets/verify", body: unknown, call: CallScope, what: string, within = false): Promise<Response> {
    if (!this.secretApiKey) {
      throw secretKeyNotConfigured();
    }
    // Within an admitted call the caller has paid for this round trip already.
    const release = within ? () => undefined : this.admission.enter(PARA_COST.rest);
    const { signal } = call;
    try {
      const init: RequestInit = {
        method: "POST",
        headers: { "content-type": "application/json", "x-external-api-key": this.secretApiKey },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
      };
      // The traced fetch takes its span's parent from the context active as it starts.
      return await context.with(call.trace, () => this.fetchers[path](new URL(path, this.baseUrl), init));
    } catch (error) {
      if (signal.aborted && signal.reason instanceof ConnectError) throw signal.reason;
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw paraTimedOut(what, error);
      }
      throw fromStatus({ status: undefined, code: undefined }, what, error);
    } finally {
      release();
    }
  }

  private async json(res: Response, what: string): Promise<Record<string, unknown>> {
    if (res.status === 401) {
      await res.body?.cancel();
      throw secretKeyRefused(what);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw fromStatus({ status: res.status, code: undefined }, what, undefined);
    }
    try {
      const body: unknown = await res.json();
      if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw paraAnswerMalformed(what);
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
