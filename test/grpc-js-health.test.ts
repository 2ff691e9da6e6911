import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import { HealthRegistry } from "../src/health/health-registry.js";
import { createRoutes, HEALTH_SERVICES } from "../src/transport/routes.js";
import { startTestServer, type RunningServer } from "./support/test-server.js";

const protoRoot = fileURLToPath(new URL("../proto", import.meta.url));

/** A grpc-js client, from outside the Connect stack, loading the vendored .proto at run time. */
function healthClient(port: number) {
  const definition = protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [protoRoot], enums: String });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: grpc.ChannelCredentials) => grpc.Client } } };
  };
  return new loaded.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & {
    check(req: { service: string }, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
  };
}

describe("grpc-js interop: health", () => {
  let running: RunningServer;
  const health = new HealthRegistry(HEALTH_SERVICES);

  beforeAll(async () => {
    running = await startTestServer(createRoutes({ signer: {}, health }));
  });
  afterAll(() => running.server.stop());

  test("Check answers NOT_SERVING, then SERVING, then NOT_FOUND for an unknown service", async () => {
    const client = healthClient(running.address.port);
    const check = (service: string) =>
      new Promise<{ status?: string; code?: number }>((resolve) =>
        client.check({ service }, (err, res) => resolve(err ? { code: err.code } : { status: res?.status ?? "" })),
      );
    expect(await check("")).toEqual({ status: "NOT_SERVING" });
    health.setAll(S.SERVING);
    expect(await check("para.signer.v1.SignerService")).toEqual({ status: "SERVING" });
    expect(await check("unknown.Service")).toEqual({ code: grpc.status.NOT_FOUND });
    client.close();
  });
});
