import { ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  type Meter,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { callCancelled } from "../errors/error-model.js";
import { CALL_TRACE } from "./call-trace.js";
import { InFlightGauge } from "./in-flight-gauge.js";
import { rpcNameAttributes, rpcOutcomeAttributes } from "./rpc-attributes.js";
import * as sc from "./semconv.js";
import { isServerFault, OK, statusName } from "./status-codes.js";

export interface TracingOptions {
  tracer: Tracer;
  meter: Meter;
  /** Which RPC attribute names to emit (see semconv.ts). */
  semconv: sc.SemconvMode;
  /**
   * Services whose calls get no span (their duration and in-flight metrics are still recorded): by default
   * health checks (probes every few seconds) and reflection (every `buf curl` and `grpcurl` call), which would
   * otherwise crowd the traces. See `untracedServices`.
   */
  untraced?: ReadonlySet<string>;
}

export const HEALTH_SERVICE = "grpc.health.v1.Health";
export const REFLECTION_SERVICES = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

/** The services left untraced, from SIGNER_TRACE_HEALTH and SIGNER_TRACE_REFLECTION (both false by default). */
export function untracedServices(trace: { health: boolean; reflection: boolean }): ReadonlySet<string> {
  return new Set([...(trace.health ? [] : [HEALTH_SERVICE]), ...(trace.reflection ? [] : REFLECTION_SERVICES)]);
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * A SERVER span per call, named `package.Service/Method`, joined to the
 * caller's trace by whatever propagators are registered (W3C traceparent,
 * tracestate, baggage, and B3 from mesh sidecars), with the RPC semantic
 * conventions, and the call duration and in-flight count as metrics. Only
 * names and codes are recorded: never headers, messages or their values.
 */
export function createTracingInterceptor(opts: TracingOptions): Interceptor {
  const { tracer, meter, semconv } = opts;
  const untraced = opts.untraced ?? untracedServices({ health: false, reflection: false });
  const duration = meter.createHistogram(sc.METRIC_RPC_SERVER_CALL_DURATION, {
    unit: "s",
    description: "Duration of RPC calls handled by the server.",
    advice: { explicitBucketBoundaries: sc.DURATION_BUCKETS_S },
  });
  const active = new InFlightGauge(meter, sc.METRIC_RPC_SERVER_ACTIVE_CALLS, "Calls in progress.");

  return (next) => async (req) => {
    const system = rpcSystem(req.header.get("content-type"));
    const base = baseAttributes(req.service.typeName, req.method.name, system, req.url, semconv);
    const parent = propagation.extract(context.active(), req.header, headerGetter);
    const traced = !untraced.has(req.service.typeName);
    const span = traced
      ? tracer.startSpan(`${req.service.typeName}/${req.method.name}`, { kind: SpanKind.SERVER, attributes: base }, parent)
      : trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const started = performance.now();
    const leave = active.enter(Object.values(base).join("|"), base);
    let ended = false;
    const end = (error: unknown) => {
      if (ended) return;
      ended = true;
      const code: number = error === undefined ? OK : ConnectError.from(error).code;
      const outcome = outcomeAttributes(code, system, semconv);
      span.setAttributes(outcome);
      if (isServerFault(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: statusName(code) });
      span.end();
      leave();
      duration.record((performance.now() - started) / 1000, { ...base, ...outcome });
    };
    const callContext = traced ? trace.setSpan(parent, span) : parent;
    // Handed down explicitly (call-trace.ts); `context.with` covers only what runs before next's first await.
    req.contextValues.set(CALL_TRACE, callContext);
    try {
      const res = await context.with(callContext, () => next(req));
      if (!res.stream) {
        end(undefined);
        return res;
      }
      // A streaming response ends its span when the stream does.
      return { ...res, message: endWithStream(res.message, end) };
    } catch (error) {
      end(error);
      throw error;
    }
  };
}

/**
 * Ends the call's span, and counts it out of the active calls, when its streaming response ends however it ends:
 * done, failed, or abandoned by the caller (its iterator returned early, e.g. the client went away), which is
 * recorded as CANCELLED. Without the `finally` an abandoned stream would leave the span open and the call counted
 * as active for good (as transport/drain.ts counts calls out).
 */
async function* endWithStream<T>(stream: AsyncIterable<T>, end: (error: unknown) => void): AsyncIterable<T> {
  let outcome: { error: unknown } | undefined;
  try {
    yield* stream;
    outcome = { error: undefined };
  } catch (error) {
    outcome = { error };
    throw error;
  } finally {
    end(outcome ? outcome.error : callCancelled());
  }
}

type RpcSystem = "grpc" | "connect";

function rpcSystem(contentType: string | null): RpcSystem {
  return contentType?.startsWith("application/grpc") ? "grpc" : "connect";
}

function baseAttributes(service: string, method: string, system: RpcSystem, url: string, semconv: sc.SemconvMode): Attributes {
  const attrs = rpcNameAttributes(service, method, system === "grpc", semconv);
  try {
    const { hostname, port } = new URL(url);
    attrs[sc.ATTR_SERVER_ADDRESS] = hostname.replace(/^\[|\]$/g, "");
    if (port) attrs[sc.ATTR_SERVER_PORT] = Number(port);
  } catch {
    // A request URL we cannot parse carries no address attributes.
  }
  return attrs;
}

function outcomeAttributes(code: number, system: RpcSystem, semconv: sc.SemconvMode): Attributes {
  return rpcOutcomeAttributes(code, system === "grpc", semconv);
}
