// Health Watch streams are capped per process (SIGNER_MAX_HEALTH_WATCHERS), across connections: HTTP/2's stream cap
// is per connection, so many connections could otherwise each hold a stream and a listener for ever.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import { HealthRegistry } from "../src/health/health-registry.js";
import { createRoutes, HEALTH_SERVICES } from "../src/transport/routes.js";
import { startTestServer, type RunningServer } from "./support/test-server.js";

const MAX = 3;

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("health Watch cap (real HTTP/2 server, one connection per watcher)", () => {
  let running: RunningServer;
  const health = new HealthRegistry(HEALTH_SERVICES, { maxWatchers: MAX });

  beforeAll(async () => {
    running = await startTestServer(createRoutes({ signer: {}, health }));
  });
  afterAll(() => running.server.stop());

  /** A watcher on a connection of its own; resolves once the first status arrived, or with the error. */
  async function watch() {
    const transport = createGrpcTransport({ baseUrl: running.baseUrl, idleConnectionTimeoutMs: 50 });
    const abort = new AbortController();
    const stream = createClient(Health, transport).watch({ service: "" }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = await stream.next().then(
      (r) => r.value?.status,
      (e: unknown) => ConnectError.from(e),
    );
    return { first, stop: () => abort.abort() };
  }

  test("over the cap: RESOURCE_EXHAUSTED; a slot freed by a watcher leaving is taken again; Check is unaffected", async () => {
    const watchers = await Promise.all(Array.from({ length: MAX }, () => watch()));
    expect(watchers.map((w) => w.first)).toEqual(Array(MAX).fill(S.NOT_SERVING));
    expect(health.watcherCount).toBe(MAX);

    const refused = await watch();
    expect(refused.first).toBeInstanceOf(ConnectError);
    expect((refused.first as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((refused.first as ConnectError).rawMessage).toBe("too many health watchers");
    expect(health.watcherCount).toBe(MAX); // the refusal held nothing

    // Check is not a Watch: never refused by the cap.
    const check = createClient(Health, createGrpcTransport({ baseUrl: running.baseUrl, idleConnectionTimeoutMs: 50 }));
    expect((await check.check({ service: "" })).status).toBe(S.NOT_SERVING);

    watchers[0]!.stop();
    await until(() => health.watcherCount === MAX - 1);
    const again = await watch();
    expect(again.first).toBe(S.NOT_SERVING);

    for (const w of [...watchers.slice(1), again]) w.stop();
    await until(() => health.watcherCount === 0);
  });
});

describe("HealthRegistry.reserveWatcher", () => {
  test("counts slots, refuses past the cap, and a release is idempotent", () => {
    const registry = new HealthRegistry([], { maxWatchers: 2 });
    const a = registry.reserveWatcher();
    const b = registry.reserveWatcher();
    expect(a && b).toBeTruthy();
    expect(registry.reserveWatcher()).toBeUndefined();
    a!();
    a!(); // twice: still one slot freed
    expect(registry.watcherCount).toBe(1);
    expect(registry.reserveWatcher()).toBeDefined();
    expect(registry.reserveWatcher()).toBeUndefined();
  });

  test("the default cap is SIGNER_MAX_HEALTH_WATCHERS's default", () => {
    const registry = new HealthRegistry([]);
    let taken = 0;
    while (registry.reserveWatcher()) taken++;
    expect(taken).toBe(256);
  });
});
