import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import { describe, expect, test } from "vitest";
import { InFlightGauge } from "../../src/telemetry/in-flight-gauge.js";

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

async function observed(reader: ManualReader): Promise<Array<{ value: number; method: unknown }>> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics.flatMap((m) => m.dataPoints as DataPoint<number>[]))
    .map((p) => ({ value: p.value, method: p.attributes["rpc.method"] }))
    .sort((a, b) => String(a.method).localeCompare(String(b.method)));
}

function setUp() {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  const gauge = new InFlightGauge(provider.getMeter("t"), "rpc.server.active_calls", "Calls in progress.");
  return { reader, gauge };
}

describe("InFlightGauge", () => {
  test("reports calls in progress per attribute set, back to zero when they end", async () => {
    const { reader, gauge } = setUp();
    const a1 = gauge.enter("A", { "rpc.method": "A" });
    const a2 = gauge.enter("A", { "rpc.method": "A" });
    const b = gauge.enter("B", { "rpc.method": "B" });
    expect(await observed(reader)).toEqual([
      { value: 2, method: "A" },
      { value: 1, method: "B" },
    ]);
    a1();
    b();
    expect(await observed(reader)).toEqual([
      { value: 1, method: "A" },
      { value: 0, method: "B" },
    ]);
    a2();
    expect(await observed(reader)).toEqual([
      { value: 0, method: "A" },
      { value: 0, method: "B" },
    ]);
  });

  test("forgets idle attribute sets past a bound, so distinct authorities cannot grow it without limit", async () => {
    const { reader, gauge } = setUp();
    for (let i = 0; i < 1000; i++) gauge.enter(`k${i}`, { "rpc.method": `m${i}` })();
    const busy = gauge.enter("busy", { "rpc.method": "busy" });
    const points = await observed(reader);
    expect(points.length).toBeLessThanOrEqual(65);
    expect(points).toContainEqual({ value: 1, method: "busy" });
    busy();
  });
});
