import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { DataPoint } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, test } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { installTestTelemetry } from "../support/otel.js";
import { reflect } from "../reflection/support.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();

async function callHealthAndReflection(h: SignerHarness): Promise<void> {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.port}`, idleConnectionTimeoutMs: 50 });
  await createClient(Health, transport).check({ service: "" });
  await reflect(transport, "v1", [{ case: "listServices", value: "" }]);
  await reflect(transport, "v1alpha", [{ case: "listServices", value: "" }]);
}

const spanNames = () => telemetry.spans().map((s) => s.name);

describe("health checks and reflection: metrics always, spans only when asked", () => {
  let h: SignerHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    telemetry.reset();
  });

  test("by default: no span for Health/Check or ServerReflectionInfo, but their call durations are recorded", async () => {
    h = await startSignerHarness();
    await callHealthAndReflection(h);
    await h.grpc.checkSession({ session: (await h.mint()).session });
    expect(spanNames()).toContain("para.signer.v1.SignerService/CheckSession");
    expect(spanNames().filter((n) => n.startsWith("grpc."))).toEqual([]);
    const rm = await telemetry.collectMetrics();
    const methods = rm.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === "rpc.server.call.duration")
      .flatMap((m) => m.dataPoints.map((p) => p.attributes["rpc.method"]));
    expect(methods).toEqual(expect.arrayContaining(["Check", "ServerReflectionInfo"]));
  });

  test("SIGNER_TRACE_HEALTH=true and SIGNER_TRACE_REFLECTION=true bring their spans back", async () => {
    h = await startSignerHarness({ env: { SIGNER_TRACE_HEALTH: "true", SIGNER_TRACE_REFLECTION: "true" } });
    await callHealthAndReflection(h);
    expect(spanNames()).toEqual(
      expect.arrayContaining([
        "grpc.health.v1.Health/Check",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      ]),
    );
  });

  test("pool and signing worker state are observable: idle instances, handouts by source, worker events", async () => {
    h = await startSignerHarness();
    const minted = await h.mint();
    await h.grpc.signMessage({ session: minted.session, message: new Uint8Array(3), format: MessageFormat.EIP191 });
    const metrics = (await telemetry.collectMetrics()).scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) => metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number>[]);
    expect(points("para_signer.pool.idle_instances")).toHaveLength(1);
    const handouts = points("para_signer.pool.handouts");
    expect(handouts.map((p) => p.attributes["para.pool.source"]).sort()).toEqual(["constructed", "pool"]);
    expect(handouts.reduce((n, p) => n + p.value, 0)).toBeGreaterThanOrEqual(1);
    const warmups = points("para_signer.signing_worker.events").find((p) => p.attributes["para.worker.event"] === "warmup");
    expect(warmups?.value).toBeGreaterThanOrEqual(1);
    expect(points("para_signer.signing_worker.held_wallets").map((p) => p.value)).toEqual([0]);
  });
});
