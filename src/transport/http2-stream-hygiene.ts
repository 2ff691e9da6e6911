import * as http2 from "node:http2";

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

/**
 * Per-stream rules node:http2 does not enforce by itself:
 *
 * - The header list limit applies from the first request: Node only enforces
 *   SETTINGS_MAX_HEADER_LIST_SIZE once the client has acknowledged the
 *   server's settings, and gRPC clients send their first request before that.
 *   An oversized list is refused with RST_STREAM ENHANCE_YOUR_CALM (gRPC
 *   clients read it as RESOURCE_EXHAUSTED), counted as HTTP/2 does: name +
 *   value + 32 bytes per field.
 * - Streams open at once in the process are capped (optional `cap`).
 * - A response that ends before its request was fully read (an early error,
 *   e.g. a message over the wire limit) closes the stream with NO_ERROR
 *   (RFC 9113 §8.1), so the rest of the upload is not waited for and a
 *   graceful shutdown is not held up by it.
 */
export interface OpenStreamCap {
  /** Streams open at once in this process, over all connections; more are refused with REFUSED_STREAM. */
  max: number;
  onRefused: () => void;
}

export function withStreamHygiene(handler: Handler, maxHeaderListBytes: number, cap?: OpenStreamCap): Handler {
  // Every open stream costs memory before any body is read (its state, and up to a flow-control window of data
  // the client may send at once), and HTTP/2's own stream limit is per connection: without a cap for the whole
  // process, connections × streams per connection bounds nothing a pod can hold. REFUSED_STREAM tells a client
  // the stream was not processed, so it may retry (RFC 9113 §8.7).
  let open = 0;
  return (req, res) => {
    if (cap && open >= cap.max) {
      req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      cap.onRefused();
      return;
    }
    open++;
    req.stream.once("close", () => open--);
    let size = 0;
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) size += (req.rawHeaders[i]?.length ?? 0) + (req.rawHeaders[i + 1]?.length ?? 0) + 32;
    if (size > maxHeaderListBytes) {
      req.stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    // Not the compat response's 'finish': that fires only once the stream has closed, which a never-ending upload
    // postpones forever. The compat layer always responds with waitForTrailers and sends the trailers from its own
    // 'wantTrailers' listener (registered first); one turn later they are queued ahead of the RST_STREAM.
    req.stream.once("wantTrailers", () =>
      setImmediate(() => {
        if (!req.complete && !req.stream.closed) req.stream.close(http2.constants.NGHTTP2_NO_ERROR);
      }),
    );
    handler(req, res);
  };
}
