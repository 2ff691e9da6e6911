import { createHash } from "node:crypto";

/**
 * Signers whose jobs crashed the SDK's shared signing worker while running alone (so Para refused them, not an
 * outage), held back for a while: every crash kills every other user's job in flight, so one session must not be
 * able to crash the worker on every call. Keys are a hash of the Para-confirmed user id and wallet id (never the
 * caller's words, never logged); the map is bounded, oldest first out.
 */
export class SigningQuarantine {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly holdMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key of one signer: a user's wallet, as Para confirmed them. */
  static keyOf(userId: string, walletId: string): string {
    return createHash("sha256").update(userId).update("\0").update(walletId).digest("base64url").slice(0, 22);
  }

  hold(key: string): void {
    if (this.holdMs <= 0) return;
    this.held.delete(key);
    this.held.set(key, this.now() + this.holdMs);
    while (this.held.size > this.maxEntries) this.held.delete(this.held.keys().next().value as string);
  }

  /** Milliseconds left in this key's hold, 0 when it is free. */
  remainingMs(key: string): number {
    const until = this.held.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.held.delete(key);
    return 0;
  }

  get size(): number {
    return this.held.size;
  }
}
