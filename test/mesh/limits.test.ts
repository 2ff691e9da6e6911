import { Code } from "@connectrpc/connect";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

describe("concurrency limit", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness({ env: { SIGNER_MAX_CONCURRENT_CALLS: "3" } });
  });
  afterAll(() => h.stop());

  test("calls over the limit fail fast with RESOURCE_EXHAUSTED and RetryInfo; health is never refused", async () => {
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, latencyMs: 700 });
    let slowSettled = false;
    const slow = Array.from({ length: 3 }, () => h.grpc.checkSession({ session: minted.session, extend: true }));
    void Promise.allSettled(slow).then(() => (slowSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const refused = await failure(h.grpc.checkSession({ session: minted.session }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.findDetails(RetryInfoSchema)).toHaveLength(1);
    // Refused at once, not queued behind the calls in flight: those are still waiting on Para.
    expect(slowSettled).toBe(false);
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.port}`, idleConnectionTimeoutMs: 50 }));
    expect((await health.check({})).status).toBe(S.SERVING);
    expect((await Promise.all(slow)).every((r) => r.extended)).toBe(true);
    // Once they finish, calls are admitted again.
    expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
    await localPara.clearFaults(h.key.apiKey);
  });

  test("the default limit lets a burst of 64 concurrent calls through", async () => {
    const roomy = await startSignerHarness();
    try {
      const sessions = await Promise.all(Array.from({ length: 64 }, () => roomy.mint()));
      const results = await Promise.all(sessions.map((s) => roomy.grpc.checkSession({ session: s.session })));
      expect(results.every((r) => r.active)).toBe(true);
    } finally {
      await roomy.stop();
    }
  });
});
