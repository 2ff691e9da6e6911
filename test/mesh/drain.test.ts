import { Code } from "@connectrpc/connect";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness } from "../support/signer-harness.js";

describe("graceful drain", () => {
  test("in-flight SignMessage calls finish OK, health says NOT_SERVING at once, new calls are refused with UNAVAILABLE", async () => {
    const h = await startSignerHarness({ env: { SIGNER_DRAIN_DELAY_MS: "400", SIGNER_SHUTDOWN_GRACE_MS: "10000" } });
    const sessions = await Promise.all(Array.from({ length: 6 }, () => h.mint()));
    // Make each signing round trip slow, so the calls are in flight when SIGTERM's drain begins.
    await localPara.addFault({ endpoint: "messagesSign", apiKey: h.key.apiKey, latencyMs: 1_200 });
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.port}`, idleConnectionTimeoutMs: 50 }));
    const inFlight = sessions.map((s) => h.grpc.signMessage({ session: s.session, message: new Uint8Array(8), format: MessageFormat.EIP191 }));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const stopped = h.service.stop();
    // At once: health reports NOT_SERVING, though calls are still served during the drain delay.
    expect((await health.check({})).status).toBe(S.NOT_SERVING);
    expect((await h.connect.checkSession({ session: sessions[0]!.session })).active).toBe(true);
    // After the drain delay: new calls are refused.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refused = await failure(h.grpc.checkSession({ session: sessions[0]!.session }));
    expect(refused.code).toBe(Code.Unavailable);
    // The calls that were in flight all complete successfully.
    const results = await Promise.all(inFlight);
    expect(results.every((r) => r.signature.length === 65)).toBe(true);
    await stopped;
    await localPara.clearFaults(h.key.apiKey);
  });

  test("calls still running when the grace period ends are cancelled, and stop() returns", async () => {
    const h = await startSignerHarness({ env: { SIGNER_DRAIN_DELAY_MS: "0", SIGNER_SHUTDOWN_GRACE_MS: "300" } });
    const minted = await h.mint();
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, hang: true });
    const hanging = failure(h.grpc.checkSession({ session: minted.session, extend: true }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await h.service.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([Code.Unavailable, Code.Canceled]).toContain((await hanging).code);
    await localPara.clearFaults(h.key.apiKey);
  });
});
