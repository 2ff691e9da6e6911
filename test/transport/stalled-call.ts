// A request whose body is sent in part and never ended, over a raw node:http2 session: what a caller that pins server
// memory does. The call resolves with whatever status the server gives, or when the stream closes.
import type * as http2 from "node:http2";

export interface StalledResult {
  httpStatus: number;
  /** grpc-status, or undefined (Connect protocol, or no status). */
  grpcStatus: number | undefined;
  /** The Connect protocol's error code from a JSON error body, if any. */
  connectCode: string | undefined;
  /** RST_STREAM code the stream closed with (0 = NO_ERROR). */
  rstCode: number | undefined;
}

export interface StalledCall {
  stream: http2.ClientHttp2Stream;
  /** Settles when the server answers with a status and the stream has closed. */
  result: Promise<StalledResult>;
}

/** A 5-byte gRPC / Connect-streaming message prefix declaring `length` bytes. */
export function prefix(length: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(length, 1);
  return b;
}

export function stalledCall(
  session: http2.ClientHttp2Session,
  path: string,
  body: Buffer,
  headers: http2.OutgoingHttpHeaders = { "content-type": "application/grpc", te: "trailers" },
): StalledCall {
  const stream = session.request({ ":method": "POST", ":path": path, ...headers });
  const result = new Promise<StalledResult>((resolve) => {
    const out: StalledResult = { httpStatus: 0, grpcStatus: undefined, connectCode: undefined, rstCode: undefined };
    const chunks: Buffer[] = [];
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) out.grpcStatus = Number(h["grpc-status"]);
    };
    stream.on("response", (h) => {
      out.httpStatus = Number(h[":status"]);
      read(h);
    });
    stream.on("trailers", read);
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      out.rstCode = stream.rstCode;
      const text = Buffer.concat(chunks).toString("utf8");
      if (out.grpcStatus === undefined && text.startsWith("{")) {
        try {
          out.connectCode = (JSON.parse(text) as { code?: string }).code;
        } catch {
          // not a Connect error body
        }
      }
      resolve(out);
    });
  });
  stream.write(body);
  return { stream, result };
}
