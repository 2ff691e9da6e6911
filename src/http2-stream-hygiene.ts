import * as http2 from "node:http2";

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

/**
 * Two per-stream rules node:http2 does not enforce by itself:
 *
 * - The header list limit applies from the first request: Node only enforces
 *   SETTINGS_MAX_HEADER_LIST_SIZE once the client has acknowledged the
 *   server's settings, and gRPC clients send their first request before that.
 *   An oversized list is refused with RST_STREAM ENHANCE_YOUR_CALM (gRPC
 *   clients read it as RESOURCE_EXHAUSTED), counted as HTTP/2 does: name +
 *   value + 32 bytes per field.
 * - A response that ends before its request was fully read (an early error,
 *   e.g. a message over the wire limit) closes the stream with NO_ERROR
 *   (RFC 9113 §8.1), so the rest of the upload is not waited for and a
 *   graceful shutdown is not held up by it.
 */
export function withStreamHygiene(handler: Handler, maxHeaderListBytes: number): Handler {
  return (req, res) => {
    let size = 0;
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) size += (req.rawHeaders[i]?.length ?? 0) + (req.rawHeaders[i + 1]?.length ?? 0) + 32;
    if (size > maxHeaderListBytes) {
      req.stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    res.once("finish", () => {
      if (!req.complete && !req.stream.closed) req.stream.close(http2.constants.NGHTTP2_NO_ERROR);
    });
    handler(req, res);
  };
}
