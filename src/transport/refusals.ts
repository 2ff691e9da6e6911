import type { IncomingHttpHeaders } from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import {
  type Attributes,
  context,
  type Meter,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { Logger } from "pino";
import { rpcNameAttributes, rpcOutcomeAttributes } from "../telemetry/rpc-attributes.js";
import type * as sc from "../telemetry/semconv.js";
import { isServerFault, statusName } from "../telemetry/status-codes.js";
import type { RouteLimit } from "./request-limits.js";

/** Counter of requests and connections refused at the transport, before any interceptor sees them. */
export const METRIC_RPC_SERVER_REFUSED = "rpc.server.refused";
/** The metric attribute (and span attribute `para.refusal.reason`) saying which bound refused. */
export const ATTR_REFUSAL_REASON = "reason";
export const ATTR_SPAN_REFUSAL_REASON = "para.refusal.reason";

export type RefusalReason = "message_too_large" | "buffered_bytes" | "body_timeout" | "connections" | "open_streams";

export interface RefusalTelemetryOptions {
  tracer?: Tracer;
  meter?: Meter;
  semconv?: sc.SemconvMode;
  logger?: Logger;
}

export interface RefusalRecorder {
  /** A call refused while its request body arrived: a SERVER span, a count and an access-log line, as any call gets. */
  call(route: RouteLimit, headers: IncomingHttpHeaders, startedAt: number, reason: RefusalReason, error: ConnectError): void;
  /** A connection closed on arrival (the connection cap). */
  connection(): void;
  /** A stream refused on arrival (REFUSED_STREAM: the process-wide cap on open streams). */
  stream(): void;
  /** Refusals so far, by reason (tests and the flood bench read these). */
  counts(): Readonly<Record<string, number>>;
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

/** At most one log line per this long for dropped connections: a connection flood must not become a log flood. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Telemetry for refusals at the transport. Connect refuses a body it cannot
 * read before any interceptor runs, so without this such refusals would reach
 * no log, span or metric. Only names from the registered routes, the reason
 * and the status code are recorded: never a header value, path or body.
 */
export function createRefusalRecorder(opts: RefusalTelemetryOptions = {}): RefusalRecorder {
  const tracer = opts.tracer ?? trace.getTracer("para-signer");
  const meter = opts.meter ?? metrics.getMeter("para-signer");
  const semconv = opts.semconv ?? { legacy: true, stable: false };
  const logger = opts.logger;
  const refused = meter.createCounter(METRIC_RPC_SERVER_REFUSED, {
    description: "Requests and connections refused by the transport's bounds (size, buffered bytes, body read time, connections).",
  });
  const tally: Record<string, number> = {};
  /**
   * A refusal with no call to trace (a connection or stream dropped on arrival): counted, and logged at most once
   * per interval with how many were dropped since, so a flood does not become a log flood.
   */
  const dropper = (reason: "connections" | "open_streams", text: string) => {
    let unlogged = 0;
    let lastLog = -Infinity;
    return () => {
      tally[reason] = (tally[reason] ?? 0) + 1;
      refused.add(1, { [ATTR_REFUSAL_REASON]: reason });
      unlogged++;
      const now = performance.now();
      if (now - lastLog < DROP_LOG_INTERVAL_MS) return;
      logger?.warn({ refused: reason, dropped: unlogged }, text);
      unlogged = 0;
      lastLog = now;
    };
  };
  const dropConnection = dropper("connections", "connections refused: at the connection cap");
  const dropStream = dropper("open_streams", "streams refused: at the cap on open streams");

  return {
    call(route, headers, startedAt, reason, error) {
      tally[reason] = (tally[reason] ?? 0) + 1;
      const grpc = headers["content-type"]?.startsWith("application/grpc") ?? false;
      const names = routeAttributes(route, grpc, semconv);
      const outcome = outcomeAttributes(error.code, grpc, semconv);
      refused.add(1, { [ATTR_REFUSAL_REASON]: reason, ...names, ...outcome });
      const parent = propagation.extract(context.active(), headers, headerGetter);
      const span = tracer.startSpan(
        route.rpc,
        { kind: SpanKind.SERVER, startTime: performance.timeOrigin + startedAt, attributes: { ...names, ...outcome, [ATTR_SPAN_REFUSAL_REASON]: reason } },
        parent,
      );
      if (isServerFault(error.code)) span.setStatus({ code: SpanStatusCode.ERROR, message: statusName(error.code) });
      span.end();
      if (logger?.isLevelEnabled("info")) {
        const ids = span.spanContext();
        logger.info(
          {
            rpc: route.rpc,
            protocol: headers["content-type"]?.split(";")[0] ?? "",
            durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
            code: statusName(error.code).toLowerCase(),
            error: error.rawMessage,
            refused: reason,
            ...(trace.isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
          },
          "call",
        );
      }
    },

    connection: dropConnection,
    stream: dropStream,

    counts: () => tally,
  };
}

function routeAttributes(route: RouteLimit, grpc: boolean, semconv: sc.SemconvMode): Attributes {
  return rpcNameAttributes(route.service, route.method, grpc, semconv);
}

function outcomeAttributes(code: number, grpc: boolean, semconv: sc.SemconvMode): Attributes {
  return rpcOutcomeAttributes(code, grpc, semconv);
}
