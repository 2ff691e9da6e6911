import { ConnectError } from "@connectrpc/connect";
import { callCancelled, paraTimedOut } from "../errors/error-model.js";

/**
 * Bounds a promise the SDK gives us by the call's signal (the caller's
 * deadline or cancellation, and server shutdown) and a cap of our own: the
 * SDK has no timeouts, so a hanging Para endpoint would otherwise hang the
 * call. The abandoned promise keeps a rejection handler so it can never
 * surface as an unhandled rejection later.
 */
export function bounded<T>(work: Promise<T>, signal: AbortSignal, capMs: number, what: string): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(abortError(signal)));
    const timer = setTimeout(() => finish(() => reject(paraTimedOut(what))), capMs);
    signal.addEventListener("abort", onAbort, { once: true });
    function finish(settle: () => void) {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      settle();
    }
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * Waits for `work` unless `signal` aborts first (then rejects with its reason). Unlike `bounded`, no cap: for
 * waits that are bounded elsewhere, where only the caller's giving up should end them.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Connect aborts a handler's signal with a ConnectError (deadline, cancel, shutdown); keep its code. */
export function abortError(signal: AbortSignal): ConnectError {
  const reason: unknown = signal.reason;
  if (reason instanceof ConnectError) return reason;
  return callCancelled();
}
