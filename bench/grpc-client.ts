/**
 * A minimal gRPC client on node:http2: writes a prepared frame, drains the
 * response, and reads grpc-status from the trailers (or from the headers of a
 * trailers-only answer). No decoding, no interceptors: the generator should
 * cost as little CPU as possible, since it shares the machine with the
 * system under test. Streams are spread round-robin over several HTTP/2
 * connections, as a pool of client channels would.
 */
import * as http2 from "node:http2";

/** The outcome of one call: "OK" or an error label (gRPC code name, or a transport failure). */
export type Outcome = string;

const CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

export interface GrpcClient {
  call(path: string, frame: Buffer): Promise<Outcome>;
  close(): void;
}

export function createGrpcClient(baseUrl: string, connections: number, timeoutMs = 60_000): GrpcClient {
  const sessions: http2.ClientHttp2Session[] = [];
  let next = 0;
  const session = (): http2.ClientHttp2Session => {
    const i = next++ % connections;
    let s = sessions[i];
    if (s === undefined || s.closed || s.destroyed) {
      s = http2.connect(baseUrl);
      s.on("error", () => undefined); // surfaced per stream
      sessions[i] = s;
    }
    return s;
  };
  return {
    call(path, frame) {
      return new Promise<Outcome>((resolve) => {
        let status: string | undefined;
        const statusOf = (headers: http2.IncomingHttpHeaders) => {
          const raw = headers["grpc-status"];
          if (raw !== undefined) status = CODE_NAMES[Number(raw)] ?? `grpc_${String(raw)}`;
        };
        let stream: http2.ClientHttp2Stream;
        try {
          stream = session().request({
            ":method": "POST",
            ":path": path,
            "content-type": "application/grpc+proto",
            te: "trailers",
          });
        } catch {
          resolve("transport_error");
          return;
        }
        stream.setTimeout(timeoutMs, () => {
          status ??= "client_timeout";
          stream.close(http2.constants.NGHTTP2_CANCEL);
        });
        stream.on("response", (headers) => {
          const http = headers[":status"];
          if (http !== 200) status = `http_${String(http)}`;
          else statusOf(headers);
        });
        stream.on("trailers", statusOf);
        stream.on("data", () => undefined);
        stream.on("error", () => void (status ??= "transport_error"));
        stream.on("close", () => resolve(status ?? "no_status"));
        stream.end(frame);
      });
    },
    close() {
      for (const s of sessions) s?.close();
    },
  };
}
