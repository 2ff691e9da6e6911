// A caller's deadline above SIGNER_MAX_TIMEOUT_MS is clamped to the cap and served (it used to be INVALID_ARGUMENT);
// work that outlasts the cap ends DEADLINE_EXCEEDED. Standard clients set generous deadlines: grpcio's timeout=60
// arrives as 60.1 s.
import type { IncomingHttpHeaders } from "node:http2";
import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { clampDeadline, grpcTimeoutMs } from "../../src/transport/deadline-clamp.js";
import { startTransportServer, type TransportServer } from "./transport-server.js";

describe("grpc-timeout and connect-timeout-ms rewriting", () => {
  test("grpc-timeout units per the gRPC spec", () => {
    expect(grpcTimeoutMs("2H")).toBe(7_200_000);
    expect(grpcTimeoutMs("3M")).toBe(180_000);
    expect(grpcTimeoutMs("60S")).toBe(60_000);
    expect(grpcTimeoutMs("60100m")).toBe(60_100);
    expect(grpcTimeoutMs("60099999u")).toBeCloseTo(60_099.999);
    expect(grpcTimeoutMs("99999999n")).toBeCloseTo(99.999999);
    for (const bad of ["soon", "123456789S", "10s", "-1S", "1.5S", ""]) expect(grpcTimeoutMs(bad)).toBeUndefined();
  });

  const clamp = (headers: IncomingHttpHeaders, unary = true) => {
    clampDeadline(headers, 60_000, unary);
    return headers;
  };

  test("gRPC: above the cap becomes the cap; at or below it is untouched; malformed is left to Connect", () => {
    expect(clamp({ "content-type": "application/grpc", "grpc-timeout": "60100m" })["grpc-timeout"]).toBe("60000m");
    expect(clamp({ "content-type": "application/grpc+proto", "grpc-timeout": "10M" })["grpc-timeout"]).toBe("60000m");
    expect(clamp({ "content-type": "application/grpc-web+proto", "grpc-timeout": "1H" })["grpc-timeout"]).toBe("60000m");
    expect(clamp({ "content-type": "application/grpc", "grpc-timeout": "60S" })["grpc-timeout"]).toBe("60S");
    expect(clamp({ "content-type": "application/grpc", "grpc-timeout": "5000000u" })["grpc-timeout"]).toBe("5000000u");
    expect(clamp({ "content-type": "application/grpc", "grpc-timeout": "soon" })["grpc-timeout"]).toBe("soon");
  });

  test("Connect: connect-timeout-ms above the cap becomes the cap", () => {
    expect(clamp({ "content-type": "application/proto", "connect-timeout-ms": "90000" })["connect-timeout-ms"]).toBe("60000");
    expect(clamp({ "content-type": "application/json", "connect-timeout-ms": "59999" })["connect-timeout-ms"]).toBe("59999");
    expect(clamp({ "content-type": "application/json", "connect-timeout-ms": "9999999999" })["connect-timeout-ms"]).toBe("60000");
  });

  test("no deadline: unary calls get the cap, streaming calls (health Watch) stay open-ended", () => {
    expect(clamp({ "content-type": "application/grpc" })["grpc-timeout"]).toBe("60000m");
    expect(clamp({ "content-type": "application/proto" })["connect-timeout-ms"]).toBe("60000");
    expect(clamp({ "content-type": "application/grpc" }, false)["grpc-timeout"]).toBeUndefined();
  });
});

describe("deadlines on a running server (cap 500 ms)", () => {
  let running: TransportServer;
  beforeAll(async () => {
    running = await startTransportServer({ SIGNER_MAX_TIMEOUT_MS: "500" });
  });
  afterAll(() => running.stop());

  for (const protocol of ["grpc", "connect"] as const) {
    test.each([90_000, 600_000])(`${protocol}: a %i ms deadline is served`, async (timeoutMs) => {
      const health = createClient(Health, running[protocol]);
      expect((await health.check({ service: "" }, { timeoutMs })).status).toBe(S.SERVING);
    });

    test(`${protocol}: work that outlasts the cap ends DEADLINE_EXCEEDED although the caller allowed 90 s`, async () => {
      const health = createClient(Health, running[protocol]);
      await expect(health.check({ service: "slow" }, { timeoutMs: 90_000 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    });

    test(`${protocol}: a unary call with no deadline gets the cap`, async () => {
      const health = createClient(Health, running[protocol]);
      await expect(health.check({ service: "slow" })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    });
  }
});
