import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import type { ParaEnvironment } from "../config/config.js";
import { paraEndpointOf, type RoundTripListener } from "./para-endpoints.js";
import type { ParaFailure } from "./para-errors.js";

/**
 * The only module that touches `@getpara/server-sdk`. It exposes the few SDK
 * operations the service uses, including two the SDK does not export: the
 * signing step without its transaction-review flow (which would generate an
 * RSA key on the event loop and open a popup), and the process-wide signing
 * worker (to warm it before serving and to stop it on shutdown).
 */

export interface SignOutcome {
  /** Hex r‖s‖v (EVM) or base64 (ed25519), as the worker returned it. */
  signature?: string;
  /** Para wants the user to review this request first. */
  pendingTransactionId?: string;
}

/** What Para's session check answers for the imported session's cookie. */
export interface ParaSessionCheck {
  active: boolean;
  /** The user Para says the cookie belongs to (only when active). */
  userId: string | undefined;
  /** Para's verification token for this session (`sessionLookupId`), for `/sessions/verify`. */
  verificationToken: string | undefined;
}

/** One of the user's wallets as Para lists it (`GET /users/{id}/wallets`), never key material. */
export interface ParaWallet {
  id: string;
  type: string;
  scheme: string;
  address: string;
  publicKey: string;
}

export interface ParaInstance {
  importSession(serialized: string): Promise<void>;
  /** Para's session check (`POST /touch`): one round trip, with who the session's cookie belongs to. */
  checkSession(): Promise<ParaSessionCheck>;
  /** Para's own list of the session user's usable wallets (the SDK's `fetchWallets()`). */
  fetchWallets(): Promise<ParaWallet[]>;
  keepSessionAlive(): Promise<boolean>;
  issueJwt(): Promise<{ token: string; keyId: string }>;
  /** Asks the SDK to confirm the wallet is usable by this session (pure, no I/O); throws if not. */
  assertWallet(walletId: string): void;
  /** One signing job on the shared worker, without the review flow. */
  sign(walletId: string, messageBase64: string): Promise<SignOutcome>;
  /**
   * One transaction signing job on the shared worker (SIGN_TRANSACTION: Para's `transactions/sign` route, then the
   * MPC step), without the review flow: what `ParaCore.signTransaction` runs before it would poll for a review.
   * `transactionBase64` is the serialized unsigned EVM transaction, `chainId` its chain as a decimal string.
   */
  signTransaction(walletId: string, transactionBase64: string, chainId: string): Promise<SignOutcome>;
  /**
   * The last failed Para round trip of this instance. The SDK's state machine
   * rethrows construction failures as `Error("[object Object]")`, losing the
   * HTTP status; this keeps it so the failure can be mapped correctly.
   */
  lastFailure(): ParaFailure | undefined;
  /**
   * Resolves once the SDK's construction cycle has finished (five round trips
   * to Para): "ready" when the instance can import a session, "failed" when
   * it cannot (Para unreachable or refusing; such an instance stays broken).
   */
  settled(): Promise<"ready" | "failed">;
}

/** Internal SDK members used here; checked at run time in `createParaInstance`. */
interface ParaInternals {
  userId: string | undefined;
  wallets: Record<string, { partnerId?: string; userId?: string; signer?: string; scheme?: string }>;
  findWalletId(walletId: string): string;
  signMessageInner(opts: { wallet: unknown; signerId: string | undefined; messageBase64: string }): Promise<SignOutcome>;
  ctx: { client?: { baseRequest?: AxiosLike } };
  platformUtils: {
    signTransaction(
      ctx: unknown,
      userId: string | undefined,
      walletId: string,
      share: string | undefined,
      tx: string,
      chainId: string,
      sessionCookie: string | undefined,
      isDKLS: boolean,
    ): Promise<SignOutcome>;
  };
  retrieveSessionCookie(): string | undefined;
}

const ENVIRONMENTS: Record<ParaEnvironment, Environment> = {
  DEV: Environment.DEV,
  SANDBOX: Environment.SANDBOX,
  BETA: Environment.BETA,
  PROD: Environment.PROD,
};

/** The slice of an axios instance used to observe the SDK's HTTP round trips. */
interface AxiosLike {
  defaults: { maxRedirects?: number };
  interceptors: {
    request: { use(onFulfilled: (config: AxiosConfigLike) => AxiosConfigLike): void };
    response: { use(onFulfilled: (res: unknown) => unknown, onRejected: (error: unknown) => unknown): void };
  };
}
type Transform = (this: AxiosConfigLike, data: unknown, headers: unknown, status?: number) => unknown;
interface AxiosConfigLike {
  url?: string;
  transformResponse?: Transform | Transform[];
}

export function createParaInstance(environment: ParaEnvironment, apiKey: string, onRoundTrip?: RoundTripListener): ParaInstance {
  const para = new ParaServer(ENVIRONMENTS[environment], apiKey);
  const internals = para as unknown as ParaInternals;
  const http = internals.ctx.client?.baseRequest;
  if (
    typeof internals.signMessageInner !== "function" ||
    typeof internals.platformUtils?.signTransaction !== "function" ||
    typeof internals.retrieveSessionCookie !== "function" ||
    !http
  ) {
    throw new Error("unsupported @getpara/server-sdk: signMessageInner, signTransaction or the API client is missing");
  }
  // Para's API answers directly; without redirects axios skips its
  // follow-redirects wrapper on every request (measurable CPU per call).
  http.defaults.maxRedirects = 0;
  let lastFailure: ParaFailure | undefined;
  const inFlight = new Map<AxiosConfigLike, number>();
  const finish = (config: AxiosConfigLike | undefined, status: number | undefined) => {
    const startedAt = config ? inFlight.get(config) : undefined;
    if (config) inFlight.delete(config);
    if (status !== 200) lastFailure = { status, code: lastFailure?.code };
    onRoundTrip?.({ endpoint: paraEndpointOf(config?.url ?? ""), status, durationMs: startedAt === undefined ? 0 : performance.now() - startedAt });
  };
  // Added synchronously after construction: the SDK sends nothing before the
  // constructor returns, so every round trip of this instance is observed.
  // axios runs `transformResponse` for every HTTP answer, error statuses too,
  // before the SDK's own interceptor turns errors into status-less messages.
  http.interceptors.request.use((config) => {
    inFlight.set(config, performance.now());
    const observe: Transform = function (data, _headers, status) {
      finish(this, status);
      return data;
    };
    const existing = config.transformResponse;
    config.transformResponse = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), observe];
    return config;
  });
  http.interceptors.response.use(
    (res) => res,
    (error: unknown) => {
      const e = error as { status?: unknown; code?: unknown };
      if (typeof e.status !== "number") {
        // No HTTP answer (refused, reset, DNS): the request is the one still in flight, if only one is.
        lastFailure = { status: undefined, code: typeof e.code === "string" ? e.code : undefined };
        const pending = inFlight.size === 1 ? [...inFlight.keys()][0] : undefined;
        finish(pending, undefined);
      }
      throw error;
    },
  );
  const settled = new Promise<"ready" | "failed">((resolve) => {
    const check = (phase: string) => {
      if (phase === "unauthenticated") resolve("ready");
      else if (phase === "error") resolve("failed");
      else return false;
      return true;
    };
    if (check(para.authPhase)) return;
    let done = false;
    let unsubscribe: (() => void) | undefined;
    unsubscribe = para.onStatePhaseChange((snapshot) => {
      if (!done && check(snapshot.authPhase)) {
        done = true;
        unsubscribe?.();
      }
    });
    if (done) unsubscribe();
  });
  // As ParaCore.signMessage/signTransaction do: an unclaimed pregen wallet signs as its partner.
  const signerOf = (wallet: ParaInternals["wallets"][string] | undefined) => (wallet?.partnerId && !wallet.userId ? wallet.partnerId : internals.userId);
  return {
    lastFailure: () => lastFailure,
    settled: () => settled,
    importSession: (serialized) => para.importSession(serialized),
    checkSession: async () => {
      // touchSession is what isSessionActive() calls; it also returns Para's answer, which names the user.
      const info = (await para.touchSession()) as { isAuthenticated?: unknown; userId?: unknown; sessionLookupId?: unknown };
      const active = info.isAuthenticated === true;
      return {
        active,
        userId: active && typeof info.userId === "string" && info.userId ? info.userId : undefined,
        verificationToken: active && typeof info.sessionLookupId === "string" && info.sessionLookupId ? info.sessionLookupId : undefined,
      };
    },
    fetchWallets: async () => {
      const entities = (await para.fetchWallets()) as unknown[];
      return entities.flatMap((e) => {
        if (typeof e !== "object" || e === null) return [];
        const w = e as Record<string, unknown>;
        const text = (v: unknown) => (typeof v === "string" ? v : "");
        if (!text(w["id"]) || !text(w["address"])) return [];
        return [{ id: text(w["id"]), type: text(w["type"]), scheme: text(w["scheme"]), address: text(w["address"]), publicKey: text(w["publicKey"]) }];
      });
    },
    keepSessionAlive: () => para.keepSessionAlive(),
    issueJwt: async () => {
      const res = (await para.issueJwt()) as { token?: unknown; keyId?: unknown };
      return { token: String(res.token ?? ""), keyId: String(res.keyId ?? "") };
    },
    assertWallet: (walletId) => void internals.findWalletId(walletId),
    sign: (walletId, messageBase64) => {
      const wallet = internals.wallets[walletId];
      return internals.signMessageInner({ wallet, signerId: signerOf(wallet), messageBase64 });
    },
    signTransaction: (walletId, transactionBase64, chainId) => {
      // As ParaCore.signTransaction's first step does, with the same arguments; its review polling is left out.
      const wallet = internals.wallets[walletId];
      return internals.platformUtils.signTransaction(
        internals.ctx,
        signerOf(wallet),
        walletId,
        wallet?.signer,
        transactionBase64,
        chainId,
        internals.retrieveSessionCookie(),
        wallet?.scheme === "DKLS",
      );
    },
  };
}

const require = createRequire(import.meta.url);

interface WorkerWrapper {
  setupWorker(
    ctx: unknown,
    onResult: (result: unknown) => Promise<void>,
    onError: (error: unknown) => void,
    workId: string,
    errorContext: unknown,
  ): Promise<Worker>;
  resetWorker(): void;
}

/** The SDK's process-wide worker module (plain Node resolves the SDK to dist/cjs, so this is the same instance). */
function workerWrapper(): WorkerWrapper {
  return require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as WorkerWrapper;
}

/**
 * Makes sure the SDK's signing worker exists and has answered INIT, and
 * returns it. Call it alone (not concurrently): the SDK does not memoise the
 * bundle download, so concurrent first jobs each spawn a worker.
 */
export async function warmSigningWorker(environment: ParaEnvironment, apiKey: string): Promise<Worker> {
  // A bare context, not a ParaServer: constructing one would send its own
  // INIT concurrently and race this download into a second worker.
  const ctx = { env: ENVIRONMENTS[environment], apiKey, isE2E: false };
  const workId = `warmup-${process.pid}-${Date.now()}`;
  let worker: Worker | undefined;
  await new Promise<void>((resolve, reject) => {
    workerWrapper()
      .setupWorker(ctx, async () => resolve(), reject, workId, { functionType: "INIT" })
      .then((w) => {
        worker = w;
        w.postMessage({ env: ctx.env, apiKey: ctx.apiKey, functionType: "INIT", workId });
      }, reject);
  });
  if (!worker) throw new Error("signing worker did not start");
  return worker;
}

/** Terminates the SDK's signing worker so the process can exit. */
export function resetSigningWorker(): void {
  workerWrapper().resetWorker();
}
