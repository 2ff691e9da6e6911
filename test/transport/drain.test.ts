import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type StreamResponse, type UnaryResponse } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { DrainGate } from "../../src/transport/drain.js";
import { InFlightTracker } from "../../src/transport/in-flight.js";

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `promise` has settled once every callback already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const SERVING = create(HealthCheckResponseSchema, { status: S.SERVING });

/**
 * Health behind a drain gate, in memory. Check answers when `release` is resolved (at once by default); Watch sends
 * one answer, then ends when `release` is resolved.
 */
function setUp(release: Promise<void> = Promise.resolve()) {
  const calls = new InFlightTracker();
  const gate = new DrainGate(calls);
  const handled = { check: 0, watch: 0 };
  const entered = deferred();
  const transport = createRouterTransport(
    (router) =>
      router.service(Health, {
        async check() {
          handled.check++;
          entered.resolve();
          await release;
          return SERVING;
        },
        async *watch() {
          handled.watch++;
          yield SERVING;
          await release;
        },
      }),
    { router: { interceptors: [gate.interceptor] } },
  );
  return { gate, calls, handled, entered: entered.promise, client: createClient(Health, transport) };
}

describe("DrainGate", () => {
  test("serves calls until closed, then refuses them with UNAVAILABLE before any handler runs", async () => {
    const { gate, handled, client } = setUp();
    expect((await client.check({})).status).toBe(S.SERVING);
    gate.close();
    const refused = await client.check({}).then(
      () => undefined,
      (error: unknown) => ConnectError.from(error),
    );
    expect(refused?.code).toBe(Code.Unavailable);
    expect(handled.check).toBe(1);
  });

  test("a call in flight when the gate closes goes on; whenIdle resolves once it has answered", async () => {
    const release = deferred();
    const { gate, calls, entered, client } = setUp(release.promise);
    const call = client.check({});
    await entered;
    gate.close();
    const idle = gate.whenIdle();
    expect(calls.count).toBe(1);
    expect(await settled(idle)).toBe(false);
    release.resolve();
    expect((await call).status).toBe(S.SERVING);
    expect(await settled(idle)).toBe(true);
    expect(calls.count).toBe(0);
  });

  test("a streaming response counts until its stream ends, not when the handler returns its first message", async () => {
    const release = deferred();
    const { gate, calls, client } = setUp(release.promise);
    const stream = client.watch({})[Symbol.asyncIterator]();
    expect((await stream.next()).value?.status).toBe(S.SERVING);
    const idle = gate.whenIdle();
    expect(calls.count).toBe(1);
    expect(await settled(idle)).toBe(false);
    release.resolve();
    expect((await stream.next()).done).toBe(true);
    expect(await settled(idle)).toBe(true);
    expect(calls.count).toBe(0);
  });

  test("a call whose handler fails, or whose stream is abandoned, is counted out", async () => {
    const calls = new InFlightTracker();
    const gate = new DrainGate(calls);
    const failing = gate.interceptor(async () => {
      throw new ConnectError("boom", Code.Internal);
    });
    await expect(failing({} as never)).rejects.toThrow("boom");
    expect(calls.count).toBe(0);

    async function* endless() {
      for (;;) yield SERVING;
    }
    const streaming = gate.interceptor(async () => ({ stream: true, message: endless() }) as unknown as StreamResponse);
    const res = (await streaming({} as never)) as StreamResponse | UnaryResponse;
    if (!res.stream) throw new Error("expected a streaming response");
    const reader = res.message[Symbol.asyncIterator]();
    await reader.next();
    expect(calls.count).toBe(1);
    await reader.return?.();
    expect(calls.count).toBe(0);
  });
});
