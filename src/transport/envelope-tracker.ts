/**
 * Follows length-prefixed messages (gRPC, gRPC-Web, Connect streaming: one
 * flags byte, a 4-byte big-endian length, the payload) as the bytes arrive,
 * without keeping any of them: enough to refuse a message by its declared
 * length before its payload is read, and to know how many bytes belong to a
 * message still arriving.
 */
export class EnvelopeTracker {
  private readonly prefix = new Uint8Array(5);
  private prefixFill = 0;
  /** Payload bytes still to come for the current message. */
  private remaining = 0;
  /** Bytes (prefix included) received so far of the message still arriving; 0 between messages. */
  partialBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Feeds a chunk; false as soon as a prefix declares a message over the limit. */
  feed(chunk: Uint8Array): boolean {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        this.partialBytes += take;
        at += take;
        if (this.remaining === 0) this.partialBytes = 0;
        continue;
      }
      this.prefix[this.prefixFill++] = chunk[at++]!;
      this.partialBytes++;
      if (this.prefixFill < 5) continue;
      this.prefixFill = 0;
      const declared = ((this.prefix[1]! << 24) >>> 0) + (this.prefix[2]! << 16) + (this.prefix[3]! << 8) + this.prefix[4]!;
      if (declared > this.maxMessageBytes) return false;
      this.remaining = declared;
      if (declared === 0) this.partialBytes = 0;
    }
    return true;
  }
}
