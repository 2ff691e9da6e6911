// A bare gRPC client over node:http2: one ClientHttp2Session we control (Connect's transport would hide which
// connection carries which stream), and request frames we build byte by byte, malformed ones included.
import * as http2 from "node:http2";

export interface RawResult {
  /** HTTP :status, 0 when no response headers came. */
  httpStatus: number;
  /** grpc-status from the trailers (or a trailers-only response); undefined when the stream ended without one. */
  grpcStatus: number | undefined;
  grpcMessage: string;
  /** The response messages' payloads, without their 5-byte prefixes. */
  messages: Buffer[];
  /** A stream error (e.g. RST_STREAM or a session torn down), if the stream ended with one. */
  streamError: string | undefined;
}

/** One gRPC length-prefixed message: flags byte, 4-byte big-endian length (`declared`, the real length by default). */
export function grpcFrame(payload: Uint8Array, opts: { compressed?: boolean; declared?: number } = {}): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(opts.compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(opts.declared ?? payload.length, 1);
  return Buffer.concat([prefix, payload]);
}

export async function connectRaw(port: number): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined); // surfaced per stream instead
  // Wait for the server's SETTINGS so the client knows its stream limit before opening streams.
  await new Promise<void>((resolve, reject) => {
    session.once("remoteSettings", () => resolve());
    session.once("error", reject);
  });
  return session;
}

/**
 * A unary call on `session`. It ends, as a gRPC client's call does, at the status (trailers, or a trailers-only
 * response), or at a stream error; rejects only if neither comes within `timeoutMs` (a hang).
 */
export function rawCall(
  session: http2.ClientHttp2Session,
  method: string,
  body: Buffer,
  headers: http2.OutgoingHttpHeaders = {},
  timeoutMs = 20_000,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const result: RawResult = { httpStatus: 0, grpcStatus: undefined, grpcMessage: "", messages: [], streamError: undefined };
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`${method}: no status within ${timeoutMs} ms (hang)`)), timeoutMs);
    let stream: http2.ClientHttp2Stream | undefined;
    const finish = () => {
      clearTimeout(timer);
      result.messages = splitFrames(Buffer.concat(chunks));
      // A server may answer before reading the whole request (an over-limit body) and leave its stream open
      // (RFC 9113 §8.1 allows that); like a gRPC client, cancel it once the status is in.
      if (stream && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      resolve(result);
    };
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) result.grpcStatus = Number(h["grpc-status"]);
      if (typeof h["grpc-message"] === "string") result.grpcMessage = decodeURIComponent(h["grpc-message"]);
    };
    try {
      stream = session.request({
        ":method": "POST",
        ":path": `/para.signer.v1.SignerService/${method}`,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
    } catch (error) {
      result.streamError = (error as Error).message;
      finish();
      return;
    }
    stream.on("response", (h, flags) => {
      result.httpStatus = Number(h[":status"]);
      read(h);
      // A trailers-only response carries the status in its headers and ends the stream.
      if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) setImmediate(finish);
    });
    stream.on("trailers", (h) => {
      read(h);
      setImmediate(finish);
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (error: Error) => (result.streamError ??= error.message));
    stream.on("close", () => setImmediate(finish));
    stream.end(body);
  });
}

function splitFrames(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 5 <= data.length; ) {
    const length = data.readUInt32BE(at + 1);
    out.push(data.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return out;
}
