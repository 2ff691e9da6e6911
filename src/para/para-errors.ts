import { ConnectError } from "@connectrpc/connect";
import { paraFailed, paraRateLimited, paraUnavailable, sessionRefusedByPara, signingWorkerUnavailable, walletNotFound } from "../errors/error-model.js";
import { isSdkWalletLookupError, isSdkWorkerCrash, isSdkWorkerTimeout, sdkApiFailureOf } from "./sdk/sdk-internals.js";

/**
 * Maps whatever the SDK or a Para REST call threw to the codes of docs/design.md §4.
 * Para's error bodies become `ParaApiError.message` and may echo request
 * data, so no message from Para is ever copied into ours; the original stays
 * only as the (unserialised) cause.
 */

/** A failed Para round trip: the HTTP status when Para answered, else the transport's code (e.g. `ECONNREFUSED`). */
export interface ParaFailure {
  status: number | undefined;
  code: string | undefined;
}

/** No answer from Para, or a 5xx: Para is down or failing, not refusing this request. */
export function isParaOutage(status: number | undefined): boolean {
  return status === undefined || status >= 500;
}

/** The SDK's shared signing worker died (its own crash or another job's). */
export function isWorkerCrash(error: unknown): boolean {
  return isSdkWorkerCrash(error);
}

/**
 * Reads a Para policy denial out of a signing worker's failure, if the failure carries one.
 *
 * How a denial arrives (the best reading of Para's behaviour): Para answers the worker's presign call
 * (`messages/sign`, `transactions/sign`) with HTTP 403 and a JSON body `{"message", "code": "POLICY_DENIED",
 * "deniedBy": "<rule id>"}`. The worker leaves that rejection unhandled, which crashes the worker thread
 * (docs/para-sdk.md §7.6); the SDK then rejects the job with `worker error with workId … and opts {…}: <message>`. What
 * `<message>` holds depends on the worker: the local Para backend's worker writes Para's JSON body into it, so the
 * code and rule can be read; the worker shipped with @getpara/server-sdk 2.18 sets `ParaApiError.message` to the
 * parsed body object, which arrives as "[object Object]": a denial through it cannot be told from any other
 * refusal, and surfaces as SIGNING_REFUSED.
 *
 * Only an unescaped `"code":"POLICY_DENIED"` counts (the `opts` JSON before it is the SDK's own, and any quote
 * inside its string values is escaped, so caller data cannot forge one), and `deniedBy` is kept only when it is a
 * short plain identifier.
 */
export function policyDenialOf(error: unknown): { deniedBy: string | undefined } | undefined {
  if (!isWorkerCrash(error)) return undefined;
  const message = (error as Error).message;
  if (!/"(?:code|error)"\s*:\s*"POLICY_DENIED"/.test(message)) return undefined;
  const rule = /"deniedBy"\s*:\s*"([A-Za-z0-9_.:-]{1,128})"/.exec(message);
  return { deniedBy: rule?.[1] };
}

const RETRY_AFTER_RATE_LIMIT_MS = 1_000;
const RETRY_AFTER_OUTAGE_MS = 2_000;

/**
 * `observed` is the instance's last failed round trip: the SDK rethrows some
 * failures (those inside its state machine) without their HTTP status.
 */
export function mapParaError(error: unknown, what: string, observed?: ParaFailure): ConnectError {
  if (error instanceof ConnectError) return error;
  const failure = sdkApiFailureOf(error);
  if (failure && (failure.status !== undefined || failure.code !== undefined || !observed)) return fromStatus(failure, what, error);
  if (isSdkWorkerCrash(error) || isSdkWorkerTimeout(error)) {
    return signingWorkerUnavailable(RETRY_AFTER_OUTAGE_MS, error, what);
  }
  if (isSdkWalletLookupError(error)) {
    return walletNotFound("para", error);
  }
  if (observed) return fromStatus(observed, what, error);
  return paraFailed(what, undefined, error);
}

export function fromStatus({ status, code }: ParaFailure, what: string, cause: unknown): ConnectError {
  if (status === 429) {
    return paraRateLimited(what, RETRY_AFTER_RATE_LIMIT_MS, cause);
  }
  if (status === 401 || status === 403) {
    // Para refused the session itself (401/403): the session is not (or no longer) an active one.
    return sessionRefusedByPara(what, cause);
  }
  if (status === undefined || status >= 500 || status === 408) {
    // No status: connection refused/reset, DNS, or a non-200 success code.
    const detail = status ? `status ${status}` : (code ?? "connection failed").toLowerCase();
    return paraUnavailable(what, detail, RETRY_AFTER_OUTAGE_MS, cause);
  }
  return paraFailed(what, status, cause);
}
