import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exerciseEveryPath, forms } from "../support/canary.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();

describe("canary: nothing exported (spans, metrics, logs) carries session data", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("every RPC and error path, then every exported string is searched", async () => {
    const secrets = await exerciseEveryPath(h, "telemetry", (call) => call.catch(() => undefined));

    const spans = telemetry.spans();
    expect(spans.length).toBeGreaterThan(20);
    const metricsJson = JSON.stringify(await telemetry.collectMetrics());
    const exported = [
      JSON.stringify(
        spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, links: s.links, status: s.status, resource: s.resource.attributes })),
      ),
      metricsJson,
      ...h.logs,
    ].join("\n");
    for (const secret of secrets) {
      for (const form of forms(secret)) expect(exported, `leaked ${form.slice(0, 6)}…`).not.toContain(form);
    }
  });
});
