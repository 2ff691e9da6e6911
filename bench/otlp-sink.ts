/**
 * A tiny OTLP/HTTP receiver for the tracing-on run: it accepts every export
 * (traces, metrics) with 200 and an empty body (a valid empty protobuf
 * Export*ServiceResponse), counting requests and bytes, so para-signer pays
 * the full cost of creating, batching, serialising and sending its spans.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpSink {
  url: string;
  requests: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const sink = { url: "", requests: 0, bytes: 0, close: async (): Promise<void> => {} };
  const server = http.createServer((req, res) => {
    req.on("data", (c: Buffer) => void (sink.bytes += c.length));
    req.on("end", () => {
      sink.requests++;
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf", "content-length": 0 });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}
