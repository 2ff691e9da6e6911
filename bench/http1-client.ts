/**
 * JSON over HTTP/1.1 with a keep-alive agent, for the Express pattern (which
 * is what the docs' Express app serves). HTTP/1.1 cannot multiplex, so the
 * agent opens up to one socket per in-flight request and keeps them.
 */
import * as http from "node:http";
import type { Outcome } from "./grpc-client.js";

export interface HttpJsonClient {
  call(path: string, body: Buffer): Promise<Outcome>;
  close(): void;
}

export function createHttpJsonClient(port: number, timeoutMs = 60_000): HttpJsonClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  return {
    call(path, body) {
      return new Promise<Outcome>((resolve) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            path,
            method: "POST",
            agent,
            headers: { "content-type": "application/json", "content-length": body.length },
          },
          (res) => {
            res.on("data", () => undefined);
            res.on("end", () => resolve(res.statusCode === 200 ? "OK" : `http_${String(res.statusCode)}`));
            res.on("error", () => resolve("transport_error"));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
        req.on("error", (e) => resolve(e.message === "timeout" ? "client_timeout" : "transport_error"));
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
