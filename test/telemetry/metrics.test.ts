import type { DataPoint, Histogram, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();

function points(rm: ResourceMetrics, name: string): DataPoint<unknown>[] {
  return rm.scopeMetrics.flatMap((s) => s.metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<unknown>[]));
}

describe("metrics", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("call duration per method and code, calls in flight, Para round trips per endpoint and outcome", async () => {
    const minted = await h.mint();
    await h.grpc.signMessage({ session: minted.session, message: new Uint8Array(3), format: MessageFormat.EIP191 });
    await h.grpc.checkSession({ session: minted.session });
    await failure(h.grpc.checkSession({ session: "bad" }));
    const rm = await telemetry.collectMetrics();

    const calls = points(rm, "rpc.server.call.duration");
    const sign = calls.find((p) => p.attributes["rpc.method"] === "SignMessage" && p.attributes["rpc.grpc.status_code"] === 0);
    expect((sign?.value as Histogram | undefined)?.count).toBe(1);
    const bad = calls.find((p) => p.attributes["rpc.method"] === "CheckSession" && p.attributes["rpc.grpc.status_code"] === 3);
    expect((bad?.value as Histogram | undefined)?.count).toBe(1);

    const active = points(rm, "rpc.server.active_calls").filter((p) => p.attributes["rpc.method"] === "SignMessage");
    expect(active.map((p) => p.value)).toEqual([0]); // back to zero once done

    const para = points(rm, "para.client.request.duration");
    const touch = para.find((p) => p.attributes["para.endpoint"] === "touch" && p.attributes["para.outcome"] === "ok");
    expect((touch?.value as Histogram | undefined)?.count).toBeGreaterThanOrEqual(2);
    expect(para.some((p) => p.attributes["para.endpoint"] === "keep_alive")).toBe(true);
  });
});
