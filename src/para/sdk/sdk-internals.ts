import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { Agent as HttpAgent } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { Environment, Para as ParaServer } from "@getpara/server-sdk";
import type { ParaFailure } from "../para-errors.js";

/**
 * Every assumption the service makes about @getpara/server-sdk beyond its documented API: private members, deep
 * imports, and the text of the SDK's errors. Each accessor names the docs/para-sdk.md section that describes the
 * behaviour it relies on, and test/para/sdk-contract.test.ts checks every one of them against the installed SDK, so
 * an upgrade that breaks one fails there, by name, instead of as INTERNAL on the first call. Nothing else in src/
 * reaches into the SDK; this module never loads the SDK itself (only its types), except the worker module on demand.
 */

/** One wallet as the SDK holds it after `importSession` (docs/para-sdk.md §3.1); `signer` is the user's key share. */
export interface StoredWallet {
  id?: string;
  type?: string;
  scheme?: string;
  userId?: string;
  partnerId?: string;
  signer?: string;
}

/** What the signing worker answers for a job (docs/para-sdk.md §7.3), as the SDK returns it. */
export interface SignOutcome {
  /** Hex r‖s‖v (EVM) or base64 (ed25519), as the worker returned it. */
  signature?: string;
  /** Para wants the user to review this request first. */
  pendingTransactionId?: string;
}

/** The slice of the SDK's axios instance the response observer uses (docs/para-sdk.md §1). */
export interface SdkHttpClient {
  defaults: { maxRedirects?: number; proxy?: false; httpAgent?: HttpAgent; httpsAgent?: HttpsAgent; adapter?: unknown };
  interceptors: {
    request: { use(onFulfilled: (config: SdkRequestConfig) => SdkRequestConfig): void };
    response: { use(onFulfilled: (res: unknown) => unknown, onRejected: (error: unknown) => unknown): void };
  };
}
export type SdkResponseTransform = (this: SdkRequestConfig, data: unknown, headers: unknown, status?: number) => unknown;
export interface SdkRequestConfig {
  url?: string;
  transformResponse?: SdkResponseTransform | SdkResponseTransform[];
}

/** The SDK members relied on here that its typings do not offer (or offer as private/protected). */
interface ParaInternals {
  readonly userId: string | undefined;
  readonly wallets: Record<string, StoredWallet>;
  findWalletId(walletId: string): string;
  signMessageInner(opts: { wallet: StoredWallet | undefined; signerId: string | undefined; messageBase64: string }): Promise<SignOutcome>;
  ctx: {
    client?: {
      baseRequest?: SdkHttpClient;
      getPendingTransaction?(userId: string, pendingTransactionId: string): Promise<{ data?: unknown }>;
    };
  };
  platformUtils?: {
    signTransaction?(
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

const internals = (para: ParaServer) => para as unknown as ParaInternals;

/**
 * The run-time twin of the contract test: refuses an SDK build whose private members this module calls are gone,
 * naming them, at construction rather than at the first signature.
 */
export function assertSupportedSdk(para: ParaServer): void {
  const p = internals(para);
  const missing = [
    typeof p.signMessageInner !== "function" && "signMessageInner",
    typeof p.findWalletId !== "function" && "findWalletId",
    typeof p.retrieveSessionCookie !== "function" && "retrieveSessionCookie",
    typeof p.platformUtils?.signTransaction !== "function" && "platformUtils.signTransaction",
    !p.ctx?.client?.baseRequest?.interceptors && "ctx.client.baseRequest",
    typeof p.ctx?.client?.getPendingTransaction !== "function" && "ctx.client.getPendingTransaction",
  ].filter((name): name is string => typeof name === "string");
  if (missing.length > 0) {
    throw new Error(`unsupported @getpara/server-sdk: ${missing.join(", ")} missing (see src/para/sdk/sdk-internals.ts, docs/para-sdk.md)`);
  }
}

/**
 * The instance's own axios client (`ctx.client.baseRequest`, private in the SDK's typings): every API round trip of
 * the instance goes through it, with the session id header and the SDK's status handling (docs/para-sdk.md §1).
 */
export function sdkHttpClient(para: ParaServer): SdkHttpClient {
  const http = internals(para).ctx.client?.baseRequest;
  if (!http) throw new Error("unsupported @getpara/server-sdk: ctx.client.baseRequest missing");
  return http;
}

/** The SDK's own, purely local wallet usability check (docs/para-sdk.md §6); throws when the session cannot use it. */
export function assertWalletUsable(para: ParaServer, walletId: string): void {
  internals(para).findWalletId(walletId);
}

/**
 * Whose signature the job asks for, as `ParaCore.signMessage`/`signTransaction` decide it (docs/para-sdk.md §7.1
 * step 1): an unclaimed pregenerated wallet signs as its partner, any other as the session's user.
 */
function signerIdFor(para: ParaServer, wallet: StoredWallet | undefined): string | undefined {
  return wallet?.partnerId && !wallet.userId ? wallet.partnerId : internals(para).userId;
}

/**
 * One message signing job on the shared worker, without the SDK's transaction-review flow (which would generate an
 * RSA key on the event loop and open a popup, docs/para-sdk.md §7.5, §14.13): `signMessageInner`, the step
 * `ParaCore.signMessage` runs before it would poll for a review (docs/para-sdk.md §7.1 step 2).
 */
export function signMessageWithoutReview(para: ParaServer, walletId: string, messageBase64: string): Promise<SignOutcome> {
  const p = internals(para);
  const wallet = p.wallets[walletId];
  return p.signMessageInner({ wallet, signerId: signerIdFor(para, wallet), messageBase64 });
}

/**
 * One transaction signing job on the shared worker (SIGN_TRANSACTION, docs/para-sdk.md §7.2), without the review
 * flow: `platformUtils.signTransaction` (protected in the SDK's typings) with the arguments, in the order,
 * `ParaCore.signTransaction` passes them before it would poll for a review.
 */
export function signTransactionWithoutReview(para: ParaServer, walletId: string, transactionBase64: string, chainId: string): Promise<SignOutcome> {
  const p = internals(para);
  const wallet = p.wallets[walletId];
  const signTransaction = p.platformUtils?.signTransaction;
  if (!signTransaction) throw new Error("unsupported @getpara/server-sdk: platformUtils.signTransaction missing");
  return signTransaction.call(
    p.platformUtils,
    p.ctx,
    signerIdFor(para, wallet),
    walletId,
    wallet?.signer,
    transactionBase64,
    chainId,
    p.retrieveSessionCookie(),
    wallet?.scheme === "DKLS",
  );
}

/**
 * One poll of a pending transaction review through the instance's API client, as the SDK's own review loop polls
 * (`ctx.client.getPendingTransaction`, docs/para-sdk.md §7.5): `GET /users/{userId}/pending-transactions/{id}`,
 * whose 200 body is `{pendingTransaction: {approvedAt: null | date}}`. Resolves with `approvedAt` (absent when the
 * body names none); rejects with the SDK's `ParaApiError` for any other answer (read it with `sdkApiFailureOf`).
 */
export async function fetchPendingTransaction(para: ParaServer, userId: string, pendingTransactionId: string): Promise<{ approvedAt: unknown }> {
  const client = internals(para).ctx.client;
  if (typeof client?.getPendingTransaction !== "function") throw new Error("unsupported @getpara/server-sdk: ctx.client.getPendingTransaction missing");
  // The SDK interpolates both ids into the path verbatim; encoded, an id cannot name another route (Para's ids are
  // plain tokens, which encoding leaves as they are).
  const res = await client.getPendingTransaction(encodeURIComponent(userId), encodeURIComponent(pendingTransactionId));
  const body = res?.data as { pendingTransaction?: { approvedAt?: unknown } } | undefined;
  return { approvedAt: body?.pendingTransaction?.approvedAt };
}

/**
 * The SDK's `ParaApiError` (its class is internal, so duck-typed by the `isParaApiError` flag on its prototype):
 * `status` is the HTTP status when Para answered, `code` axios' code (`ERR_BAD_REQUEST`, `ECONNREFUSED`, …)
 * (docs/para-sdk.md §1 "Status handling").
 */
export function sdkApiFailureOf(error: unknown): ParaFailure | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { isParaApiError?: unknown; status?: unknown; code?: unknown };
  if (e.isParaApiError !== true) return undefined;
  return {
    status: typeof e.status === "number" ? e.status : undefined,
    code: typeof e.code === "string" ? e.code : undefined,
  };
}

/**
 * An error that `sdkApiFailureOf` reads as the SDK's `ParaApiError` with this failure: how one thrown in an SDK thread
 * is rebuilt on the main thread (src/para/threads/sdk-thread-protocol.ts), so para-errors.ts maps it the same.
 */
export function asSdkApiError(error: Error, failure: ParaFailure): Error {
  return Object.assign(error, { isParaApiError: true, status: failure.status, code: failure.code });
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : "");

/**
 * The SDK's shared signing worker died under the job (docs/para-sdk.md §7.3): its own crash or another job's
 * (`worker error with workId … and opts {…}: <message>`), or an exit (`worker exited unexpectedly with code N`).
 */
export function isSdkWorkerCrash(error: unknown): boolean {
  const message = errorMessage(error);
  return message.startsWith("worker error with workId") || message.startsWith("worker exited unexpectedly");
}

/** The SDK gave up on a worker job after its fixed 90 s (docs/para-sdk.md §7.6, §2.3). */
export function isSdkWorkerTimeout(error: unknown): boolean {
  return errorMessage(error).startsWith("worker operation timed out");
}

/** The SDK's wallet check refused the wallet id (docs/para-sdk.md §6: "does not exist", "is not owned", none found). */
export function isSdkWalletLookupError(error: unknown): boolean {
  return /does not exist|no valid wallet id found|is not owned/.test(errorMessage(error));
}

/** The process-wide signing worker module (docs/para-sdk.md §2.3), not exported by the SDK's entry point. */
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

const require = createRequire(import.meta.url);

/** Plain Node resolves the SDK to dist/cjs, so this is the module instance the SDK's own signing uses (docs/para-sdk.md §2.4). */
function workerWrapper(): WorkerWrapper {
  return require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as WorkerWrapper;
}

/**
 * Sends the process-wide worker an INIT job, starting the worker (bundle download) if none exists, exactly as every
 * construction does (docs/para-sdk.md §2.2 row 2, §7.2, §7.3): `setupWorker` with a bare context (env and API key
 * are all it reads to find the bundle), then the INIT envelope. `onInitialised` runs on the worker's reply; resolves
 * with the worker the job went to.
 */
export async function initSdkWorker(
  environment: Environment,
  apiKey: string,
  workId: string,
  onInitialised: () => void,
  onError: (error: unknown) => void,
): Promise<Worker> {
  const ctx = { env: environment, apiKey, isE2E: false };
  const worker = await workerWrapper().setupWorker(ctx, async () => onInitialised(), onError, workId, { functionType: "INIT" });
  worker.postMessage({ env: ctx.env, apiKey: ctx.apiKey, functionType: "INIT", workId });
  return worker;
}

/** Terminates the process-wide worker (the SDK never does; docs/para-sdk.md §2.3, §14.3) and forgets it. */
export function resetSdkWorker(): void {
  workerWrapper().resetWorker();
}
