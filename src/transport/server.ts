import { createCallerAbortInterceptor } from "./caller-abort.js";
import { setMaxListeners } from "node:events";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { callerContextValues } from "../authz/caller-identity.js";
import type { Config } from "../config/config.js";
import { serverShuttingDown } from "../errors/error-model.js";
import { watchSession } from "./http2-keepalive.js";
import { withStreamHygiene } from "./http2-stream-hygiene.js";
import { BodyBudget } from "./body-budget.js";
import { capConnections } from "./connection-cap.js";
import { DrainGate } from "./drain.js";
import { createRefusalRecorder, type RefusalTelemetryOptions } from "./refusals.js";
import { withRequestGuards } from "./request-guard.js";
import { JSON_FACTOR, largestRequestBytes, type RouteLimit, routeLimit } from "./request-limits.js";

/** After the last call has answered, how long sessions get to flush and close by themselves. */
const FLUSH_MS = 500;

export interface ServerOptions {
  config: Pick<Config, "host" | "port" | "limits" | "http2" | "shutdown" | "tls">;
  routes: (router: ConnectRouter) => void;
  /** Outermost first. */
  interceptors?: Interceptor[];
  /** Where refusals at the transport (size, buffered bytes, body read time, connections) are logged, traced, counted. */
  telemetry?: RefusalTelemetryOptions;
}

/** The transport's bounds at work (tests and the body-flood bench read these). */
export interface TransportStats {
  /** Request bytes held now for bodies still arriving, and the most ever held. */
  bufferedBytes: number;
  peakBufferedBytes: number;
  /** The buffered-bytes cap, and the reserve above it only tiny bodies (health checks) may use. */
  maxBufferedBytes: number;
  reserveBytes: number;
  /** Refusals by reason. */
  refused: Readonly<Record<string, number>>;
}

export interface Server {
  /** Listens; resolves with the bound address (port 0 picks a free port). */
  start(): Promise<AddressInfo>;
  /**
   * Graceful drain (the caller turns health NOT_SERVING just before): calls
   * are still served for the drain delay (so endpoints and sidecars stop
   * routing here); then new calls are refused with UNAVAILABLE (drain.ts),
   * every HTTP/2 session gets GOAWAY, and in-flight calls have the grace
   * period to finish before they are cancelled and the sessions destroyed.
   */
  stop(): Promise<void>;
  transportStats(): TransportStats;
}

/**
 * The HTTP/2 server: gRPC, gRPC-Web and Connect on one port, h2c by default
 * (behind a mesh sidecar) or TLS/mTLS when run bare, with wire limits, a
 * deadline cap, HTTP/2 stream and header limits, idle and ping policies.
 */
export function createServer(options: ServerOptions): Server {
  const { config } = options;
  const shutdown = new AbortController();
  // Connect links every call's signal to this one: one listener per call in flight, by design, not a leak.
  setMaxListeners(0, shutdown.signal);
  let state: "new" | "serving" | "delaying" | "draining" | "stopped" = "new";
  // Outermost: refuses calls once draining has begun, and counts the calls in flight for the drain to wait on.
  const gate = new DrainGate();
  // Filled from the routes Connect registers: each RPC's request limit (transport/request-limits.ts).
  const routeLimits = new Map<string, RouteLimit>();
  const connectHandler = connectNodeAdapter({
    routes: (router) => {
      options.routes(router);
      for (const h of router.handlers) routeLimits.set(h.requestPath, routeLimit(h.method, config.limits));
    },
    // Innermost: a caller's reset is named for what it was before the span and the access log record it.
    interceptors: [gate.interceptor, ...(options.interceptors ?? []), createCallerAbortInterceptor()],
    // The transport refuses larger bodies per RPC before they are buffered; this bounds what a compressed
    // message may inflate to (JSON codecs get the same allowance as at the transport).
    readMaxBytes: Math.min(config.limits.maxWireBytes, JSON_FACTOR * largestRequestBytes(config.limits)),
    writeMaxBytes: config.limits.maxWireBytes,
    // Longer deadlines never reach Connect: withRequestGuards clamps them to the cap. Kept as a backstop.
    maxTimeoutMs: config.limits.maxTimeoutMs,
    shutdownSignal: shutdown.signal,
    contextValues: callerContextValues,
  });
  const budget = new BodyBudget(config.limits.maxBufferedBytes);
  const refusals = createRefusalRecorder(options.telemetry);
  const guarded = withRequestGuards(connectHandler, { limits: config.limits, routes: routeLimits, budget, refusals });
  const handler = withStreamHygiene(guarded, config.http2.maxHeaderListBytes, { max: config.limits.maxOpenStreams, onRefused: () => refusals.stream() });
  const settings: http2.Settings = {
    maxConcurrentStreams: config.http2.maxConcurrentStreams,
    maxHeaderListSize: config.http2.maxHeaderListBytes,
  };
  const tls = config.tls;
  const server = tls
    ? http2.createSecureServer(
        {
          cert: tls.cert,
          key: tls.key,
          settings,
          allowHTTP1: false,
          ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handler,
      )
    : http2.createServer({ settings }, handler);
  capConnections(server, config.limits.maxConnections, refusals);
  const sessions = new Set<http2.Http2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    watchSession(session, config.http2);
  });

  return {
    async start() {
      if (state !== "new") throw new Error(`server cannot start: it is ${state}`);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      state = "serving";
      return server.address() as AddressInfo;
    },

    async stop() {
      if (state !== "serving") return;
      state = "delaying";
      await sleep(config.shutdown.drainDelayMs);
      state = "draining";
      gate.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // server.close() alone lets open sessions start new streams: GOAWAY each
      // session too; its in-flight streams may finish.
      for (const session of sessions) session.close();
      // Wait for the calls in flight (not for connections clients keep open), at most the grace period.
      let grace: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (grace = setTimeout(resolve, config.shutdown.graceMs)));
      await Promise.race([gate.whenIdle(), graceOver]);
      clearTimeout(grace);
      shutdown.abort(serverShuttingDown());
      // Let the last responses flush and sessions close on their own; then cut what lingers.
      await Promise.race([closed, sleep(FLUSH_MS)]);
      for (const session of sessions) session.destroy();
      await closed;
      state = "stopped";
    },

    transportStats() {
      return {
        bufferedBytes: budget.bufferedBytes,
        peakBufferedBytes: budget.peakBufferedBytes,
        maxBufferedBytes: budget.capBytes,
        reserveBytes: budget.reserveBytes,
        refused: { ...refusals.counts() },
      };
    },
  };
}
