import { setTimeout as sleep } from "node:timers/promises";
import { Code } from "@connectrpc/connect";
import { retryable } from "../errors/error-model.js";
import { abortError } from "./bounded.js";

export interface AdmissionLimits {
  /** Calls talking to Para at once; 0 means no limit. */
  maxConcurrent: number;
  /** Para round trips per second, sustained; 0 means no limit. */
  perSecond: number;
  /** Round trips that may be spent at once after a quiet spell. */
  burst: number;
}

/**
 * Keeps this instance's traffic under Para's account-wide limits, so a burst
 * of callers cannot trip them for everyone: a token bucket of Para round
 * trips per second, and a cap on calls talking to Para at once. Calls that
 * would exceed either fail fast with RESOURCE_EXHAUSTED and a RetryInfo saying
 * when tokens will be there; background work (pool refills) waits instead.
 */
export class ParaAdmission {
  private tokens: number;
  private refilledAt = performance.now();
  private active = 0;

  constructor(private readonly limits: AdmissionLimits) {
    this.tokens = limits.burst;
  }

  /** Admits a call costing `cost` round trips, or throws; call the returned function when the call is done. */
  enter(cost: number): () => void {
    const { maxConcurrent } = this.limits;
    if (maxConcurrent > 0 && this.active >= maxConcurrent) {
      throw retryable(Code.ResourceExhausted, "this server's limit of calls to para at once is reached", "PARA_BUDGET_EXHAUSTED", 50);
    }
    this.charge(cost);
    this.active++;
    let released = false;
    return () => {
      if (!released) this.active--;
      released = true;
    };
  }

  /**
   * Takes `cost` more round trips for a call already admitted (one that learns only as it goes that it needs
   * them, e.g. a cache miss), or throws; it does not count as another call in progress.
   */
  charge(cost: number): void {
    const { perSecond } = this.limits;
    if (perSecond <= 0) return;
    this.refill();
    if (this.tokens < cost) {
      const waitMs = Math.ceil(((cost - this.tokens) / perSecond) * 1000);
      throw retryable(Code.ResourceExhausted, "this server's rate budget toward para is spent", "PARA_BUDGET_EXHAUSTED", waitMs);
    }
    this.tokens -= cost;
  }

  /**
   * Waits until `cost` round trips may be spent: for background work that must not fail (pool refills), and for
   * the later items of a batch, which are paced at the sustained rate instead of refused (a batch may cost more
   * than the burst). A `signal` ends the wait with its reason.
   */
  async reserve(cost: number, signal?: AbortSignal): Promise<void> {
    const { perSecond } = this.limits;
    if (perSecond <= 0) return;
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      this.refill();
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return;
      }
      await sleep(Math.ceil(((cost - this.tokens) / perSecond) * 1000), undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.perSecond);
    this.refilledAt = now;
  }
}

/** Para round trips each operation makes (docs/para-sdk.md §2.2, §4–§8), for admission. */
export const PARA_COST = {
  /** Without kept answers (sdk/anonymous-answers.ts); background constructions they cover are not charged. */
  construction: 5,
  touch: 1,
  keepAlive: 1,
  wallets: 1,
  sign: 1,
  jwt: 1,
  rest: 1,
} as const;
