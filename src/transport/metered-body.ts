import * as http2 from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import type { BodyBudget } from "./body-budget.js";
import { BodyBuffer } from "./body-buffer.js";
import { EnvelopeTracker } from "./envelope-tracker.js";
import type { RefusalReason } from "./refusals.js";
import { JSON_FACTOR, type RouteLimit } from "./request-limits.js";
import { bodyReadTimedOut, bufferedBytesExhausted, messageTooLarge } from "./transport-errors.js";

/** After a refusal, how long the response gets to go out before the stream is reset regardless. */
const REFUSAL_FLUSH_MS = 1_000;
const PREFIX_BYTES = 5;

export interface BodyMeterOptions {
  route: RouteLimit;
  budget: BodyBudget;
  /** A body (single-message RPCs) or one streamed message (streaming requests) must arrive within this. */
  timeoutMs: number;
  onRefused: (reason: RefusalReason, error: ConnectError) => void;
}

/**
 * Puts a meter between a request stream and Connect, which reads the body
 * through the request's async iterator (node-universal-handler.js) and buffers
 * a whole message before any interceptor runs. Each chunk is checked before
 * Connect sees it: a message over the RPC's limit (by its declared length, or
 * by count when there is no prefix), a stream that would take the process over
 * its buffered-bytes budget, or a body that does not complete in time makes
 * the pending read fail with a ConnectError, so Connect answers with that
 * status in the caller's protocol and stops reading; the stream is then closed
 * (withStreamHygiene) and its bytes released. Nothing more is read from a
 * refused stream. A single-message body is kept here until complete and
 * handed to Connect in one piece, so what a refused or abandoned stream held
 * is dropped at once.
 */
export function meterRequestBody(req: http2.Http2ServerRequest, opts: BodyMeterOptions): void {
  const read = req[Symbol.asyncIterator].bind(req);
  const body = new MeteredBody(req, read, opts);
  Object.defineProperty(req, Symbol.asyncIterator, { value: () => body, configurable: true });
}

class MeteredBody implements AsyncIterator<Buffer> {
  private source: AsyncIterator<Buffer> | undefined;
  private readonly tracker: EnvelopeTracker | undefined;
  private readonly maxMessageBytes: number;
  /** Single-message bodies: the most bytes the whole body may have (one message and its prefix). */
  private readonly maxBodyBytes: number;
  private total = 0;
  /** Bytes charged to the budget for this stream now. */
  private held = 0;
  private refusal: ConnectError | undefined;
  private pending: ((error: ConnectError) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backstop: NodeJS.Timeout | undefined;
  /** A single-message body as it arrives (its capacity charged to the budget); handed over whole. */
  private readonly body: BodyBuffer | undefined;
  private delivered = false;
  /** The HTTP/2 session: the budget's per-connection share is keyed by it. */
  private readonly connection: object;

  constructor(
    private readonly req: http2.Http2ServerRequest,
    private readonly read: () => AsyncIterator<Buffer>,
    private readonly opts: BodyMeterOptions,
  ) {
    const contentType = req.headers["content-type"] ?? "";
    this.maxMessageBytes = opts.route.maxMessageBytes * (contentType.includes("json") ? JSON_FACTOR : 1);
    const enveloped = contentType.startsWith("application/grpc") || contentType.startsWith("application/connect+");
    this.tracker = enveloped ? new EnvelopeTracker(this.maxMessageBytes) : undefined;
    this.maxBodyBytes = opts.route.singleRequest ? this.maxMessageBytes + (enveloped ? PREFIX_BYTES : 0) : Infinity;
    this.body = opts.route.singleRequest ? new BodyBuffer(this.maxBodyBytes) : undefined;
    // The session may be gone by the time bytes are released: keep the key.
    this.connection = req.stream.session ?? req.stream;
    req.stream.once("close", () => {
      this.body?.clear();
      this.settle();
      clearTimeout(this.backstop);
    });
    // Connect allocates a buffer of the promised content-length at once (readAllBytes): refuse before that.
    const promised = Number(req.headers["content-length"]);
    if (!enveloped && promised > this.maxMessageBytes) {
      this.refuse("message_too_large", messageTooLarge());
      return;
    }
    if (opts.route.singleRequest) this.startTimer();
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.refusal) return Promise.reject(this.refusal);
    if (this.delivered) return Promise.resolve({ done: true, value: undefined });
    const source = (this.source ??= this.read());
    return new Promise((resolve, reject) => {
      const pending = (error: ConnectError) => reject(error);
      this.pending = pending;
      const pull = (): void => {
        source.next().then(
          (result) => {
            if (this.pending !== pending) return; // refused while waiting (already rejected)
            if (result.done) {
              this.pending = undefined;
              this.settle();
              if (this.body && this.body.length > 0) {
                this.delivered = true;
                resolve({ done: false, value: this.body.take() });
              } else {
                resolve(result);
              }
              return;
            }
            if (this.account(result.value)) return; // refused: the pending read was rejected
            if (!this.body) {
              this.pending = undefined;
              resolve(result);
              return;
            }
            // A single-message body goes to Connect in one piece once complete: Connect's envelope decoder
            // concatenates chunk by chunk (quadratic garbage), and what is kept here can be dropped on refusal.
            this.body.append(result.value);
            pull();
          },
          (error: unknown) => {
            if (this.pending !== pending) return;
            this.pending = undefined;
            this.settle();
            reject(error);
          },
        );
      };
      pull();
    });
  }

  return(value?: unknown): Promise<IteratorResult<Buffer>> {
    this.settle();
    // After a refusal the stream must stay open for the response; the hygiene closes it once that is written.
    if (this.refusal || !this.source?.return) return Promise.resolve({ done: true, value: undefined });
    return this.source.return(value);
  }

  /** Checks and charges one chunk; a ConnectError if the stream is refused by it. */
  private account(chunk: Buffer): ConnectError | undefined {
    this.total += chunk.length;
    let held = this.total;
    if (this.tracker) {
      if (!this.tracker.feed(chunk)) return this.refuse("message_too_large", messageTooLarge());
      held = this.tracker.partialBytes;
    } else if (this.total > this.maxMessageBytes) {
      return this.refuse("message_too_large", messageTooLarge());
    }
    if (this.body) {
      // One message expected: the whole body is kept until it ends (extra messages included).
      if (this.total > this.maxBodyBytes) return this.refuse("message_too_large", messageTooLarge());
      held = this.body.capacityFor(this.total);
    }
    const delta = held - this.held;
    if (delta > 0 && !this.opts.budget.tryCharge(delta, held, this.connection)) return this.refuse("buffered_bytes", bufferedBytesExhausted());
    if (delta < 0) this.opts.budget.release(-delta, this.connection);
    this.held = held;
    // A streamed request's clock runs while one of its messages is arriving, not while the caller is quiet.
    if (!this.opts.route.singleRequest) {
      if (held === 0) this.stopTimer();
      else if (!this.timer) this.startTimer();
    }
    return undefined;
  }

  private refuse(reason: RefusalReason, error: ConnectError): ConnectError {
    if (this.refusal) return this.refusal;
    this.refusal = error;
    this.settle();
    const pending = this.pending;
    this.pending = undefined;
    pending?.(error);
    this.opts.onRefused(reason, error);
    // Connect answers and withStreamHygiene closes the stream; if the answer cannot go out, reset it anyway.
    this.backstop = setTimeout(() => {
      if (!this.req.stream.closed) this.req.stream.close(http2.constants.NGHTTP2_CANCEL);
    }, REFUSAL_FLUSH_MS).unref();
    return error;
  }

  /** Releases what the stream holds and stops its clock; the body is complete, refused or gone. */
  private settle(): void {
    this.stopTimer();
    if (this.held > 0) this.opts.budget.release(this.held, this.connection);
    this.held = 0;
    if (this.refusal) this.body?.clear();
  }

  private startTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refuse("body_timeout", bodyReadTimedOut());
    }, this.opts.timeoutMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
