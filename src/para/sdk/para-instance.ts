import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Para as ParaServer } from "@getpara/server-sdk";
import { context } from "@opentelemetry/api";
import type { ParaEnvironment } from "../../config/config.js";
import { withinSpanOrSuppressed } from "../../telemetry/call-trace.js";
import { untilAborted } from "../bounded.js";
import type { RoundTripListener } from "../para-endpoints.js";
import type { ParaFailure } from "../para-errors.js";
import { anonymousAnswers, resolvedAdapter } from "./anonymous-answers.js";
import { observeResponses } from "./response-observer.js";
import { sdkEnvironment } from "./sdk-environment.js";
import {
  assertSupportedSdk,
  assertWalletUsable,
  fetchPendingTransaction,
  type SignOutcome,
  sdkApiFailureOf,
  sdkHttpClient,
  signMessageWithoutReview,
  signTransactionWithoutReview,
} from "./sdk-internals.js";

export type { SignOutcome } from "./sdk-internals.js";

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

/** The user's decision on a transaction review, as one poll of Para finds it. */
export type PendingTransactionState = "pending" | "approved" | "denied";

export interface PendingTransactionPoll {
  state: PendingTransactionState;
}

/**
 * One SDK instance, for one call: the few SDK operations the service uses. The two signing operations leave out the
 * SDK's transaction-review flow (docs/para-sdk.md §7.5, §14.13); a review is reported, and awaited by polling.
 */
export interface ParaInstance {
  importSession(serialized: string): Promise<void>;
  /** Para's session check (`POST /touch`): one round trip, with who the session's cookie belongs to. */
  checkSession(): Promise<ParaSessionCheck>;
  /** Para's own list of the session user's usable wallets (the SDK's `fetchWallets()`). */
  fetchWallets(): Promise<ParaWallet[]>;
  keepSessionAlive(): Promise<boolean>;
  issueJwt(): Promise<{ token: string; keyId: string }>;
  /**
   * The imported session as the instance now holds it, base64(JSON) in the shape of docs/para-sdk.md §3.1: a
   * session id Para rotated (the `x-capsule-sid` response header, e.g. on keep-alive) is the new one (§1 "Session
   * rotation", §9). No I/O (async only because the instance may live in an SDK thread); rejects unless the session
   * is imported. A secret, like the caller's.
   */
  exportSession(options: { excludeSigners: boolean }): Promise<string>;
  /**
   * Asks the SDK to confirm the wallet is usable by this session (pure, no I/O; async only because the instance may
   * live in an SDK thread); rejects if not.
   */
  assertWallet(walletId: string): Promise<void>;
  /** One signing job on the shared worker, without the review flow. */
  sign(walletId: string, messageBase64: string): Promise<SignOutcome>;
  /**
   * One transaction signing job on the shared worker (SIGN_TRANSACTION: Para's `transactions/sign` route, then the
   * MPC step), without the review flow: what `ParaCore.signTransaction` runs before it would poll for a review.
   * `transactionBase64` is the serialized unsigned EVM transaction, `chainId` its chain as a decimal string.
   */
  signTransaction(walletId: string, transactionBase64: string, chainId: string): Promise<SignOutcome>;
  /**
   * One poll of a pending transaction review (`GET /users/{userId}/pending-transactions/{id}`, docs/para-sdk.md
   * §7.5), for `userId` or else the imported session's user. Para's "no such review" (403, 404, 410) is a denial,
   * as the SDK's own loop takes any refusal; any other failure (429, 5xx, no answer, 401) rejects with the SDK's
   * error, to be mapped with `lastFailure()` like every other call. `signal` ends the wait (the request itself
   * cannot be cancelled through the SDK).
   */
  pendingTransaction(userId: string | undefined, pendingTransactionId: string, signal?: AbortSignal): Promise<PendingTransactionPoll>;
  /** The last failed Para round trip of this instance (see ResponseObserver). */
  lastFailure(): ParaFailure | undefined;
  /**
   * Resolves once the SDK's construction cycle has finished (five requests to
   * Para, or to its kept answers, anonymous-answers.ts): "ready" when the
   * instance can import a session, "failed" when it cannot (Para unreachable
   * or refusing; such an instance stays broken).
   */
  settled(): Promise<"ready" | "failed">;
}

/** The TCP keep-alive delay axios's HTTP adapter sets on every request's socket (`socket.setKeepAlive(true, 60000)`). */
const AXIOS_TCP_KEEPALIVE_MS = 60_000;

/** Answers to a review poll that mean the review is no longer pending for this user: gone, never theirs, refused. */
const REVIEW_REFUSED = new Set([403, 404, 410]);

/**
 * The connection pools of every SDK instance in this module graph (one per SDK thread): Node's default agents
 * (keep-alive, LIFO, 5 s idle timeout), but with TCP keep-alive set to the 60 s axios sets on each request's socket.
 * Node's default agent sets 1 s back whenever a socket returns to the pool, so every round trip changed the
 * setting twice (two to four `setsockopt` calls each time); with the two equal, neither changes anything. Sockets
 * carry nothing of a user: the cookie and API key travel in each request's headers, as with the default agents.
 */
const SDK_AGENTS = {
  http: new HttpAgent({ keepAlive: true, keepAliveMsecs: AXIOS_TCP_KEEPALIVE_MS, scheduling: "lifo", timeout: 5_000 }),
  https: new HttpsAgent({ keepAlive: true, keepAliveMsecs: AXIOS_TCP_KEEPALIVE_MS, scheduling: "lifo", timeout: 5_000 }),
};

/** Para's answers to fresh instances' session-less construction requests, kept for this module graph's instances. */
const ANONYMOUS_ANSWERS = anonymousAnswers();

/** How the SDK's HTTP client is set up besides the SDK's own defaults. */
export interface HttpOptions {
  /** A proxy is named in the environment (config `para.proxyConfigured`): keep axios's per-request lookup. */
  proxyConfigured: boolean;
  /** How long Para's answers to construction requests without a session are reused (sdk/anonymous-answers.ts); 0: never. */
  anonymousAnswerTtlMs: number;
}

/**
 * Whether an instance built now with these options will send Para its construction round trips: not when Para's
 * answers to them are kept (anonymous-answers.ts). Admission charges a background construction by this.
 */
export function constructionSendsRoundTrips(http: HttpOptions): boolean {
  return !(http.anonymousAnswerTtlMs > 0 && ANONYMOUS_ANSWERS.coversConstruction());
}

/** Builds a brand-new SDK instance (its construction round trips start at once) and adapts it. */
export function createParaInstance(environment: ParaEnvironment, apiKey: string, onRoundTrip?: RoundTripListener, http?: HttpOptions): ParaInstance {
  const para = new ParaServer(sdkEnvironment(environment), apiKey);
  assertSupportedSdk(para);
  return adaptParaInstance(para, onRoundTrip, http);
}

/**
 * Adapts a just-built SDK instance, observing its round trips from now on: call it synchronously after construction
 * (the SDK sends nothing before its constructor returns, docs/para-sdk.md §2.1).
 */
export function adaptParaInstance(
  para: ParaServer,
  onRoundTrip?: RoundTripListener,
  options: HttpOptions = { proxyConfigured: true, anonymousAnswerTtlMs: 0 },
): ParaInstance {
  const settled = settledOf(para);
  const http = sdkHttpClient(para);
  // Para's API answers directly; without redirects axios skips its
  // follow-redirects wrapper on every request (measurable CPU per call).
  http.defaults.maxRedirects = 0;
  // With no proxy named in the environment, axios would still read the proxy variables on every request and find
  // none: `proxy: false` is the same outcome without the lookup. With one named, axios's own handling is kept.
  if (!options.proxyConfigured) http.defaults.proxy = false;
  http.defaults.httpAgent = SDK_AGENTS.http;
  http.defaults.httpsAgent = SDK_AGENTS.https;
  if (options.anonymousAnswerTtlMs > 0) {
    let builtOnKeptAnswers = false;
    http.defaults.adapter = ANONYMOUS_ANSWERS.adapter(resolvedAdapter(http.defaults.adapter), options.anonymousAnswerTtlMs, () => {
      builtOnKeptAnswers = true;
    });
    // An instance built on kept answers that could not settle may show they no longer hold: the next asks Para.
    void settled.then((outcome) => outcome === "failed" && builtOnKeptAnswers && ANONYMOUS_ANSWERS.clear());
  }
  // An instance serves one call at a time. Each round trip is reported in the trace context of the operation that
  // was the latest to start when its request went out (read as the operation starts: no context crosses an await,
  // telemetry/sync-context-manager.ts); its construction's, in the context it was built in.
  let traceContext = withinSpanOrSuppressed(context.active());
  const started = <F extends (...args: never[]) => unknown>(op: F): F =>
    ((...args: Parameters<F>) => {
      traceContext = withinSpanOrSuppressed(context.active());
      return op(...args);
    }) as F;
  const observer = observeResponses(
    http,
    onRoundTrip &&
      (() => {
        const requestContext = traceContext;
        return (trip) => context.with(requestContext, () => onRoundTrip(trip));
      }),
  );
  return {
    lastFailure: () => observer.lastFailure(),
    settled: () => settled,
    importSession: started((serialized) => para.importSession(serialized)),
    checkSession: started(async () => {
      // touchSession is what isSessionActive() calls; it also returns Para's answer, which names the user.
      const info = (await para.touchSession()) as { isAuthenticated?: unknown; userId?: unknown; sessionLookupId?: unknown };
      const active = info.isAuthenticated === true;
      return {
        active,
        userId: active && typeof info.userId === "string" && info.userId ? info.userId : undefined,
        verificationToken: active && typeof info.sessionLookupId === "string" && info.sessionLookupId ? info.sessionLookupId : undefined,
      };
    }),
    fetchWallets: started(async () => {
      const entities = (await para.fetchWallets()) as unknown[];
      return entities.flatMap((e) => {
        if (typeof e !== "object" || e === null) return [];
        const w = e as Record<string, unknown>;
        const text = (v: unknown) => (typeof v === "string" ? v : "");
        if (!text(w["id"]) || !text(w["address"])) return [];
        return [{ id: text(w["id"]), type: text(w["type"]), scheme: text(w["scheme"]), address: text(w["address"]), publicKey: text(w["publicKey"]) }];
      });
    }),
    keepSessionAlive: started(() => para.keepSessionAlive()),
    issueJwt: started(async () => {
      const res = (await para.issueJwt()) as { token?: unknown; keyId?: unknown };
      return { token: String(res.token ?? ""), keyId: String(res.keyId ?? "") };
    }),
    exportSession: started(async ({ excludeSigners }) => para.exportSession({ excludeSigners })),
    assertWallet: started(async (walletId) => assertWalletUsable(para, walletId)),
    sign: started((walletId, messageBase64) => signMessageWithoutReview(para, walletId, messageBase64)),
    signTransaction: started((walletId, transactionBase64, chainId) => signTransactionWithoutReview(para, walletId, transactionBase64, chainId)),
    pendingTransaction: started(async (userId, pendingTransactionId, signal) => {
      // After importSession the SDK holds the session's userId (docs/para-sdk.md §3.1, §3.2); a caller that has
      // Para's word on the user passes it.
      const user = userId ?? para.userId;
      if (!user) throw new Error("no user to poll the pending transaction for");
      try {
        const { approvedAt } = await untilAborted(fetchPendingTransaction(para, user, pendingTransactionId), signal);
        return { state: approvedAt ? "approved" : "pending" };
      } catch (error) {
        const status = sdkApiFailureOf(error)?.status;
        if (status !== undefined && REVIEW_REFUSED.has(status)) return { state: "denied" };
        throw error;
      }
    }),
  };
}

/** Resolves with how the instance's construction cycle ended (docs/para-sdk.md §2.2), watching its public auth phase. */
function settledOf(para: ParaServer): Promise<"ready" | "failed"> {
  return new Promise<"ready" | "failed">((resolve) => {
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
}
