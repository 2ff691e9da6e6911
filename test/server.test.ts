import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import type { SignerService } from "../gen/para/signer/v1/signer_service_pb.js";
import { HealthRegistry } from "../src/health/health-registry.js";
import { createRoutes, HEALTH_SERVICES } from "../src/transport/routes.js";
import { startTestServer, type RunningServer } from "./support/test-server.js";

// The signer itself is exercised against the local Para backend elsewhere;
// this file checks the HTTP/2 server, the protocols and the health service.
const unimplementedSigner: Partial<ServiceImpl<typeof SignerService>> = {};

describe("HTTP/2 server on port 0", () => {
  let running: RunningServer;
  const health = new HealthRegistry(HEALTH_SERVICES);

  beforeAll(async () => {
    running = await startTestServer(createRoutes({ signer: unimplementedSigner, health }));
    health.setAll(S.SERVING);
  });
  afterAll(() => running.server.stop());

  test.each(["grpc", "connect", "grpcWeb"] as const)("health Check over %s", async (protocol) => {
    const client = createClient(Health, running[protocol]);
    expect((await client.check({ service: "" })).status).toBe(S.SERVING);
    expect((await client.check({ service: "para.signer.v1.SignerService" })).status).toBe(S.SERVING);
  });

  test("a message over the wire limit is refused with RESOURCE_EXHAUSTED", async () => {
    const client = createClient(Health, running.grpc);
    const error = await client.check({ service: "x".repeat(5 * 1024 * 1024) }).catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  test("a deadline above the server's cap is clamped to it and served", async () => {
    const client = createClient(Health, running.connect);
    expect((await client.check({ service: "" }, { timeoutMs: 3_600_000 })).status).toBe(S.SERVING);
  });
});
