import { ConnectError } from "@connectrpc/connect";

/**
 * Refusals remembered for a while, so a caller who keeps sending what was just refused costs nothing more:
 * no SDK instance, no Para round trip, no signing job. Keys are hashes of what was refused (a session's cookie,
 * or a cookie and wallet); they can only ever refuse, never admit, so it is safe that the caller wrote them.
 * Someone who does not hold a session's cookie cannot get that session held. Bounded, oldest first out.
 */
export class RecentRefusals {
  private readonly held = new Map<string, { until: number; error: ConnectError }>();

  constructor(
    private readonly holdMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(key: string, error: ConnectError): void {
    if (this.holdMs <= 0) return;
    this.held.delete(key);
    this.held.set(key, { until: this.now() + this.holdMs, error });
    while (this.held.size > this.maxEntries) this.held.delete(this.held.keys().next().value as string);
  }

  /** Throws the refusal again (a fresh error with the same code, message and details) while it is held. */
  refuseIfHeld(key: string): void {
    const entry = this.held.get(key);
    if (!entry) return;
    if (entry.until <= this.now()) {
      this.held.delete(key);
      return;
    }
    // Our own refusals carry only outgoing details (descriptor and value); anything else is dropped.
    type Outgoing = NonNullable<ConstructorParameters<typeof ConnectError>[3]>[number];
    const details = entry.error.details.filter((d): d is Outgoing => "desc" in d);
    throw new ConnectError(entry.error.rawMessage, entry.error.code, undefined, details);
  }

  get size(): number {
    return this.held.size;
  }
}
