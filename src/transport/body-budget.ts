/** Small bodies (health checks, ordinary signing calls) may use the reserve when the budget is spent. */
export const SMALL_BODY_BYTES = 16 * 1024;

/**
 * The process-wide account of request bytes held for bodies still arriving
 * (bytes handed to Connect, which keeps them until the body is complete). A
 * stream that would take the total over the cap is refused, so the memory
 * callers can pin before they are authorized is bounded whatever they send.
 *
 * Two rules keep a flood from starving everyone else:
 * - one connection may hold at most a share of the cap (an eighth, or the
 *   whole cap when that is 1 MiB or less), so filling it takes many
 *   connections (and SIGNER_MAX_CONNECTIONS bounds those);
 * - streams holding at most SMALL_BODY_BYTES may also draw on a reserve above
 *   the cap (an eighth of it, at least 1 MiB), so health checks and ordinary
 *   calls are served while large never-ending bodies hold the cap.
 * The total never exceeds cap + reserve.
 */
export class BodyBudget {
  private used = 0;
  private peak = 0;
  readonly reserveBytes: number;
  readonly connectionShareBytes: number;
  private readonly byConnection = new WeakMap<object, number>();

  constructor(readonly capBytes: number) {
    this.reserveBytes = Math.max(1024 * 1024, Math.floor(capBytes / 8));
    this.connectionShareBytes = Math.max(Math.floor(capBytes / 8), Math.min(capBytes, 1024 * 1024));
  }

  /**
   * Charges `delta` bytes for a stream of `connection` that will then hold `streamBytes`; false (nothing charged)
   * if that would pass the cap (or the reserve, for small bodies) or the connection's share.
   */
  tryCharge(delta: number, streamBytes: number, connection: object): boolean {
    const small = streamBytes <= SMALL_BODY_BYTES;
    const limit = small ? this.capBytes + this.reserveBytes : this.capBytes;
    const held = this.byConnection.get(connection) ?? 0;
    if (this.used + delta > limit) return false;
    if (!small && held + delta > this.connectionShareBytes) return false;
    this.used += delta;
    this.byConnection.set(connection, held + delta);
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  release(bytes: number, connection: object): void {
    this.used -= bytes;
    this.byConnection.set(connection, (this.byConnection.get(connection) ?? bytes) - bytes);
  }

  get bufferedBytes(): number {
    return this.used;
  }

  get peakBufferedBytes(): number {
    return this.peak;
  }
}
