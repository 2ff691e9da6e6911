import { setTimeout as sleep } from "node:timers/promises";
import { abortError } from "./bounded.js";

/** Para's answer about a pending transaction review, one poll. */
export type ReviewState = "pending" | "approved" | "denied";

export interface ReviewWaitOptions {
  /** The caller's signal: its deadline, cancellation or the server's shutdown end the wait at once. */
  signal: AbortSignal;
  /**
   * When to stop polling (performance.now() time): a little before the caller's deadline, so the answer "still
   * pending" (with the id again) reaches the caller before its own deadline turns into a bare DEADLINE_EXCEEDED.
   */
  untilMs: number;
  /** First wait between polls; it grows by half each poll up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  /** How to wait between polls (tests record the waits). */
  wait?: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

/**
 * Polls for the user's decision on a transaction review (docs/para-sdk.md §7.5: the SDK's own flow polls every
 * second for up to 5 minutes) with back-off: 0.5 s, then half again each time up to 5 s, so a long wait costs
 * Para a few requests a minute, not sixty. Resolves with the decision, or "pending" when `untilMs` comes first.
 */
export async function waitForReview(poll: () => Promise<ReviewState>, options: ReviewWaitOptions): Promise<ReviewState> {
  const { signal, untilMs } = options;
  const now = options.now ?? (() => performance.now());
  let delayMs = options.firstDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const wait = options.wait ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }));
  for (;;) {
    const state = await poll();
    if (state !== "pending") return state;
    const left = untilMs - now();
    if (left <= 0) return "pending";
    try {
      await wait(Math.min(delayMs, left), signal);
    } catch {
      throw abortError(signal);
    }
    delayMs = Math.min(maxDelayMs, Math.ceil(delayMs * 1.5));
  }
}

/**
 * The moment to give up waiting, from the call's remaining time: a margin before the deadline (a tenth of it,
 * 50 ms to 1 s) leaves time to answer.
 */
export function reviewDeadline(timeoutMs: number, now: number = performance.now()): number {
  const margin = Math.min(1_000, Math.max(50, timeoutMs / 10));
  return now + Math.max(0, timeoutMs - margin);
}
