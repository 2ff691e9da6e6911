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
  /** How long a poll begun by `untilMs` may still take (part of the margin before the caller's deadline). */
  pollGraceMs?: number;
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
    // A poll (its wait for budget, its round trip) may not run past the time to answer: then it is still pending.
    const state = await withinTime(poll(), untilMs + (options.pollGraceMs ?? 0) - now());
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

/** When to stop waiting for a review, and how long the last poll may take after that. */
export interface ReviewWindow {
  untilMs: number;
  pollGraceMs: number;
}

/**
 * The window of a wait, from the call's remaining time: a margin before the deadline (a tenth of it, 50 ms to 1 s)
 * leaves time to answer; half of it is the last poll's grace.
 */
export function reviewDeadline(timeoutMs: number, now: number = performance.now()): ReviewWindow {
  const margin = Math.min(1_000, Math.max(50, timeoutMs / 10));
  return { untilMs: now + Math.max(0, timeoutMs - margin), pollGraceMs: margin / 2 };
}

/** `work`, or "pending" when `ms` pass first (the late answer is dropped, its rejection handled). */
function withinTime(work: Promise<ReviewState>, ms: number): Promise<ReviewState> {
  work.catch(() => undefined);
  if (ms <= 0) return Promise.resolve("pending");
  if (!Number.isFinite(ms)) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReviewState>((resolve) => (timer = setTimeout(() => resolve("pending"), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
