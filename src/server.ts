import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Config } from "./config.js";

export interface ServerOptions {
  config: Pick<Config, "host" | "port" | "limits">;
  routes: (router: ConnectRouter) => void;
  interceptors?: Interceptor[];
  /** Called once the server stops accepting calls, before the listener closes. */
  onDraining?: () => void;
}

export interface Server {
  /** Listens; resolves with the bound address (port 0 picks a free port). */
  start(): Promise<AddressInfo>;
  /** Stops accepting calls, aborts in-flight handlers' signals after `graceMs`, closes every HTTP/2 session. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * An HTTP/2 cleartext (h2c) server speaking gRPC, gRPC-Web and Connect on one
 * port, with wire limits and a deadline cap set (Connect's defaults are ~4 GiB
 * and no cap).
 */
export function createServer(options: ServerOptions): Server {
  const { config } = options;
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: options.routes,
    interceptors: options.interceptors ?? [],
    readMaxBytes: config.limits.maxWireBytes,
    writeMaxBytes: config.limits.maxWireBytes,
    maxTimeoutMs: config.limits.maxTimeoutMs,
    shutdownSignal: shutdown.signal,
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.Http2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  let state: "new" | "started" | "stopping" | "stopped" = "new";

  return {
    async start() {
      if (state !== "new") throw new Error(`server cannot start: it is ${state}`);
      state = "started";
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return server.address() as AddressInfo;
    },

    async stop(graceMs = 0) {
      if (state !== "started") return;
      state = "stopping";
      options.onDraining?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // server.close() alone lets open sessions start new streams: close each
      // session too (GOAWAY), letting its in-flight streams finish.
      for (const session of sessions) session.close();
      const grace = setTimeout(() => {
        shutdown.abort(new Error("server shutting down"));
        for (const session of sessions) session.destroy();
      }, graceMs);
      await closed;
      clearTimeout(grace);
      shutdown.abort();
      state = "stopped";
    },
  };
}
