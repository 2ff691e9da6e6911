/** First allocation for a body (or the whole limit when that is smaller). */
const INITIAL_BYTES = 16 * 1024;

/**
 * A request body gathered in one growing allocation of its own. The chunks
 * node:http2 delivers are slices of 64 KiB socket-read buffers shared with
 * other frames and streams, so keeping the chunks would keep up to 64 KiB per
 * slice alive (measured: arrayBuffers at twice the bytes counted), and tiny
 * DATA frames would cost an object each. Copying into a buffer that doubles
 * (never past the body's limit) makes the memory held exactly `capacity`,
 * which is what the budget is charged.
 */
export class BodyBuffer {
  private buffer: Buffer | undefined;
  length = 0;

  constructor(private readonly maxBytes: number) {}

  /** The capacity the buffer will have once it holds `total` bytes (total <= maxBytes). */
  capacityFor(total: number): number {
    const current = this.buffer?.length ?? 0;
    if (total <= current) return current;
    return Math.min(this.maxBytes, Math.max(total, current * 2, INITIAL_BYTES));
  }

  append(chunk: Uint8Array): void {
    const total = this.length + chunk.length;
    if (!this.buffer || total > this.buffer.length) {
      const next = Buffer.allocUnsafeSlow(this.capacityFor(total));
      this.buffer?.copy(next, 0, 0, this.length);
      this.buffer = next;
    }
    this.buffer.set(chunk, this.length);
    this.length = total;
  }

  /** The body so far; the buffer lets go of it. */
  take(): Buffer {
    const body = this.buffer ? this.buffer.subarray(0, this.length) : Buffer.alloc(0);
    this.clear();
    return body;
  }

  clear(): void {
    this.buffer = undefined;
    this.length = 0;
  }
}
