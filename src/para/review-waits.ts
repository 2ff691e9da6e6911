import { reviewWaitsExhausted } from "../errors/error-model.js";

/**
 * How many AwaitReview calls each Para-confirmed user has waiting. A wait holds a call slot and an SDK instance
 * for up to the caller's deadline, and costs the caller almost nothing to open: without a bound per user, one user
 * polling its own pending review from many calls could hold the slots every other caller needs.
 */
export class ReviewWaits {
  private readonly waiting = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Counts a wait in for `userId`, or throws RESOURCE_EXHAUSTED; call the returned function when it ends. */
  enter(userId: string): () => void {
    const now = this.waiting.get(userId) ?? 0;
    if (now >= this.maxPerUser) throw reviewWaitsExhausted(1_000);
    this.waiting.set(userId, now + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const remaining = (this.waiting.get(userId) ?? 1) - 1;
      if (remaining <= 0) this.waiting.delete(userId);
      else this.waiting.set(userId, remaining);
    };
  }

  /** Users with a wait open (bounded by the server's concurrency limit). */
  get users(): number {
    return this.waiting.size;
  }
}
