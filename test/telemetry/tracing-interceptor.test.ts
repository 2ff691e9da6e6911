import {
  Code,
  ConnectError,
  createClient,
  createContextValues,
  createRouterTransport,
  type Interceptor,
  type StreamResponse,
  type UnaryResponse,
} from "@connectrpc/connect";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AggregationTemporality, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { beforeEach, describe, expect, test } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Health, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from "../../gen/grpc/health/v1/health_pb.js";
import { semconvMode } from "../../src/telemetry/semconv.js";
import { createTracingInterceptor } from "../../src/telemetry/tracing-interceptor.js";

/**
 * The tracing interceptor with in-memory span and metric pipelines of its own (no global OpenTelemetry), around a
 * tiny fake Health service: unary calls through Connect's in-memory transport, streaming responses by calling the
 * interceptor directly, so the test decides when a stream ends, fails or is abandoned.
 */

const SERVING = create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });
const HEALTH = "grpc.health.v1.Health";

class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let exporter: InMemorySpanExporter;
let reader: TestMetricReader;
let tracingProvider: BasicTracerProvider;
let meterProvider: MeterProvider;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  tracingProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  reader = new TestMetricReader();
  meterProvider = new MeterProvider({ readers: [reader] });
});

function interceptor(options: { untraced?: ReadonlySet<string>; semconv?: string } = {}): Interceptor {
  return createTracingInterceptor({
    tracer: tracingProvider.getTracer("test"),
    meter: meterProvider.getMeter("test"),
    semconv: semconvMode(options.semconv),
    untraced: options.untraced ?? new Set(),
  });
}

/** A Health client over the in-memory transport whose Check runs `check`. */
function healthClient(check: (service: string) => void, tracing = interceptor()) {
  const transport = createRouterTransport(
    (router) =>
      router.service(Health, {
        check(req) {
          check(req.service);
          return SERVING;
        },
        async *watch() {},
      }),
    { router: { interceptors: [tracing] } },
  );
  return createClient(Health, transport);
}

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

async function metric(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (found?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

async function activeCalls(): Promise<number> {
  return (await metric("rpc.server.active_calls")).reduce((sum, p) => sum + Number(p.value), 0);
}

async function durationCount(): Promise<number> {
  return (await metric("rpc.server.call.duration")).reduce((sum, p) => sum + (p.value as { count: number }).count, 0);
}

describe("unary calls", () => {
  test("OK: a SERVER span named Service/Method with the RPC conventions, status unset, counted in and out", async () => {
    await healthClient(() => undefined).check({ service: "" });
    const span = onlySpan();
    expect(span.name).toBe(`${HEALTH}/Check`);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      "rpc.system": "connect_rpc",
      "rpc.service": HEALTH,
      "rpc.method": "Check",
      "rpc.grpc.status_code": 0,
    });
    expect(span.attributes).not.toHaveProperty("rpc.connect_rpc.error_code");
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await activeCalls()).toBe(0);
    expect(await durationCount()).toBe(1);
  });

  test("the caller's error (NOT_FOUND): its code recorded, the span is not an error", async () => {
    const client = healthClient(() => {
      throw new ConnectError("unknown service", Code.NotFound);
    });
    await expect(client.check({ service: "" })).rejects.toMatchObject({ code: Code.NotFound });
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ "rpc.grpc.status_code": Code.NotFound, "rpc.connect_rpc.error_code": "not_found" });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await activeCalls()).toBe(0);
  });

  test("a server fault (UNAVAILABLE): the span's status is ERROR with the code's name, never the message", async () => {
    const client = healthClient(() => {
      throw new ConnectError("para sign unavailable (status 503)", Code.Unavailable);
    });
    await expect(client.check({ service: "" })).rejects.toMatchObject({ code: Code.Unavailable });
    const span = onlySpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.Unavailable);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "UNAVAILABLE" });
    expect(await activeCalls()).toBe(0);
    expect(await durationCount()).toBe(1);
  });

  test("the newer semantic conventions when opted in (rpc)", async () => {
    const client = healthClient(
      () => {
        throw new ConnectError("unknown service", Code.NotFound);
      },
      interceptor({ semconv: "rpc" }),
    );
    await client.check({ service: "" }).catch(() => undefined);
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.method": `${HEALTH}/Check`,
      "rpc.response.status_code": "NOT_FOUND",
      "error.type": "NOT_FOUND",
    });
    expect(span.attributes).not.toHaveProperty("rpc.system");
    expect(span.attributes).not.toHaveProperty("rpc.grpc.status_code");
  });

  test("no request value reaches the attributes: not the message's fields, not the headers", async () => {
    const secret = "svc-secret-value-7f3a";
    let seen = "";
    const client = healthClient((service) => {
      seen = service;
      throw new ConnectError("unknown service", Code.NotFound);
    });
    await client.check({ service: secret }, { headers: { authorization: `Bearer ${secret}`, "x-session": secret } }).catch(() => undefined);
    expect(seen).toBe(secret);
    const span = onlySpan();
    expect(JSON.stringify(span.attributes)).not.toContain(secret);
    expect(JSON.stringify(span.events)).not.toContain(secret);
    expect(span.status.message ?? "").not.toContain(secret);
    for (const point of await metric("rpc.server.call.duration")) expect(JSON.stringify(point.attributes)).not.toContain(secret);
  });

  test("an untraced service (health, by default) gets no span, but its duration is still recorded", async () => {
    await healthClient(() => undefined, interceptor({ untraced: new Set([HEALTH]) })).check({ service: "" });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(await durationCount()).toBe(1);
    expect(await activeCalls()).toBe(0);
  });
});

describe("streaming responses: the span ends when the stream does", () => {
  /** Calls the interceptor as the server would for Health/Watch over gRPC, with `stream` as the handler's response. */
  async function watch(stream: AsyncIterable<unknown>): Promise<AsyncIterator<unknown>> {
    const req = {
      stream: false,
      service: Health,
      method: Health.method.watch,
      url: "http://127.0.0.1:50051/grpc.health.v1.Health/Watch",
      header: new Headers({ "content-type": "application/grpc+proto" }),
      contextValues: createContextValues(),
    };
    const next = async () => ({ stream: true, message: stream }) as unknown as StreamResponse;
    const res = (await interceptor()(next)(req as never)) as StreamResponse | UnaryResponse;
    if (!res.stream) throw new Error("expected a streaming response");
    return res.message[Symbol.asyncIterator]();
  }

  async function* messages(count: number, failWith?: ConnectError) {
    for (let i = 0; i < count; i++) yield SERVING;
    if (failWith) throw failWith;
  }

  async function* endless() {
    for (;;) yield SERVING;
  }

  test("open while the stream is; ended OK once it is done", async () => {
    const reader = await watch(messages(2));
    await reader.next();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(await activeCalls()).toBe(1);
    await reader.next();
    expect((await reader.next()).done).toBe(true);
    const span = onlySpan();
    expect(span.name).toBe(`${HEALTH}/Watch`);
    expect(span.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.grpc.status_code": 0, "server.address": "127.0.0.1", "server.port": 50051 });
    expect(await activeCalls()).toBe(0);
  });

  test("a stream that fails: the error's code, ERROR for a server fault", async () => {
    const reader = await watch(messages(1, new ConnectError("server is shutting down", Code.Unavailable)));
    await reader.next();
    await expect(reader.next()).rejects.toMatchObject({ code: Code.Unavailable });
    const span = onlySpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.Unavailable);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(await activeCalls()).toBe(0);
  });

  test("a stream the caller abandons: the span ends CANCELLED and the call is counted out", async () => {
    const reader = await watch(endless());
    await reader.next();
    await reader.next();
    expect(await activeCalls()).toBe(1);
    await reader.return?.();
    const span = onlySpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.Canceled);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(await activeCalls()).toBe(0);
    expect(await durationCount()).toBe(1);
  });
});
