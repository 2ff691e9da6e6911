// Refusals at the transport happen before any interceptor runs; they are still traced (a SERVER span named like the
// RPC, with its status code), counted (rpc.server.refused by reason) and logged (an access-log line without content).
import { Code } from "@connectrpc/connect";
import { metrics, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLogger } from "../../src/telemetry/logger.js";
import { METRIC_RPC_SERVER_REFUSED } from "../../src/transport/refusals.js";
import { connectRaw } from "../hostile/raw-grpc.js";
import { installTestTelemetry } from "../support/otel.js";
import { prefix, stalledCall } from "./stalled-call.js";
import { CHECK_SESSION, startTransportServer, type TransportServer } from "./transport-server.js";

const telemetry = installTestTelemetry();
const logs: string[] = [];
let running: TransportServer;
beforeAll(async () => {
  const logger = createLogger("info", { write: (line: string) => void logs.push(line) });
  running = await startTransportServer(
    { SIGNER_BODY_READ_TIMEOUT_MS: "200" },
    { logger, tracer: trace.getTracer("test"), meter: metrics.getMeter("test"), semconv: { legacy: true, stable: false } },
  );
});
afterAll(() => running.stop());

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const SECRET = "hostile-body-bytes-7f3a";

test("a refused body gets a span, a count and a log line; nothing of the request is recorded", async () => {
  const session = await connectRaw(running.port);
  try {
    const headers = { "content-type": "application/grpc", te: "trailers", traceparent: TRACEPARENT, "x-note": SECRET };
    const big = stalledCall(session, CHECK_SESSION, Buffer.concat([prefix(4_000_000), Buffer.from(SECRET)]), headers);
    expect((await big.result).grpcStatus).toBe(Code.ResourceExhausted);
    const slow = stalledCall(session, CHECK_SESSION, Buffer.concat([prefix(1000), Buffer.from(SECRET)]), headers);
    expect((await slow.result).grpcStatus).toBe(Code.DeadlineExceeded);
  } finally {
    session.destroy();
  }

  const spans = telemetry.spans().filter((s) => s.name === "para.signer.v1.SignerService/CheckSession");
  expect(spans.map((s) => s.attributes["rpc.grpc.status_code"]).sort()).toEqual([Code.ResourceExhausted, Code.DeadlineExceeded].sort());
  for (const span of spans) {
    expect(span.kind).toBe(1); // SpanKind.SERVER
    expect(span.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(span.attributes["rpc.system"]).toBe("grpc");
    expect(span.attributes["rpc.method"]).toBe("CheckSession");
  }

  const resource = await telemetry.collectMetrics();
  const metric = resource.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === METRIC_RPC_SERVER_REFUSED);
  const byReason = Object.fromEntries((metric?.dataPoints ?? []).map((p) => [p.attributes["reason"], p.value]));
  expect(byReason).toMatchObject({ message_too_large: 1, body_timeout: 1 });

  const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l["refused"]);
  expect(lines.map((l) => l["refused"]).sort()).toEqual(["body_timeout", "message_too_large"]);
  for (const line of lines) expect(line).toMatchObject({ rpc: "para.signer.v1.SignerService/CheckSession", msg: "call" });
  expect(logs.join("\n")).not.toContain(SECRET);
  for (const span of spans) expect(JSON.stringify(span.attributes)).not.toContain(SECRET);
});
