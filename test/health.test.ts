import { createClient, createRouterTransport, Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import { HealthRegistry } from "../src/health/health-registry.js";
import { createHealthService } from "../src/health/health-service.js";

const SIGNER = "para.signer.v1.SignerService";

function setup() {
  const registry = new HealthRegistry([SIGNER]);
  const transport = createRouterTransport(({ service }) => service(Health, createHealthService(registry)));
  return { registry, client: createClient(Health, transport) };
}

describe("grpc.health.v1.Health (in-memory transport)", () => {
  test("Check reports the server and the signer service, NOT_SERVING until told", async () => {
    const { registry, client } = setup();
    expect((await client.check({ service: "" })).status).toBe(S.NOT_SERVING);
    registry.setAll(S.SERVING);
    expect((await client.check({ service: "" })).status).toBe(S.SERVING);
    expect((await client.check({ service: SIGNER })).status).toBe(S.SERVING);
  });

  test("Check on an unknown service is NOT_FOUND", async () => {
    const { client } = setup();
    const error = await client.check({ service: "nope.Service" }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });

  test("Watch streams the current status, then each change", async () => {
    const { registry, client } = setup();
    const abort = new AbortController();
    const seen: S[] = [];
    const stream = client.watch({ service: SIGNER }, { signal: abort.signal });
    const done = (async () => {
      try {
        for await (const res of stream) {
          seen.push(res.status);
          if (seen.length === 1) registry.set(SIGNER, S.SERVING);
          if (seen.length === 2) registry.set(SIGNER, S.NOT_SERVING);
          if (seen.length === 3) abort.abort();
        }
      } catch (e) {
        expect(ConnectError.from(e).code).toBe(Code.Canceled);
      }
    })();
    await done;
    expect(seen).toEqual([S.NOT_SERVING, S.SERVING, S.NOT_SERVING]);
  });

  test("Watch on an unknown service says SERVICE_UNKNOWN and stays open", async () => {
    const { client } = setup();
    const abort = new AbortController();
    const first = await client.watch({ service: "nope.Service" }, { signal: abort.signal })[Symbol.asyncIterator]().next();
    abort.abort();
    expect(first.value?.status).toBe(S.SERVICE_UNKNOWN);
  });
});
