import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { type BoundaryParts, type BoundaryStatus, ParaBoundary } from "../../src/para/boundary.js";
import type { ParaGateway } from "../../src/para/para-gateway.js";
import type { ParaJwtVerifier } from "../../src/para/jwt-verifier.js";
import type { ParaRestClient } from "../../src/para/para-rest.js";

/** Unit level: the boundary's lifecycle over fakes of its parts (worker, pool, reachability); time is faked. */

const WORKER_STATS = { convicted: 0, warmups: 0, refused: 0, startFailures: 0, quarantined: 0 };

function setUp(warmUps: Array<"fail" | "ok" | Promise<void>>) {
  const events: string[] = [];
  const statuses: BoundaryStatus[] = [];
  const warnings: string[] = [];
  let reachable = true;
  let reachabilityListener: ((reachable: boolean) => void) | undefined;
  const parts: BoundaryParts = {
    gateway: {} as ParaGateway,
    rest: {} as ParaRestClient,
    jwt: { stats: () => ({ fetches: 3, failures: 1, keys: 2 }) } as unknown as ParaJwtVerifier,
    worker: {
      ready() {
        events.push("worker.ready");
        const next = warmUps.shift() ?? "fail";
        if (next === "ok") return Promise.resolve();
        if (next === "fail") return Promise.reject(new Error("bundle download failed"));
        return next;
      },
      async stop(terminate) {
        events.push("worker.stop");
        terminate();
      },
      stats: () => ({ ...WORKER_STATS, warmups: 1 }),
    },
    pool: {
      start: () => void events.push("pool.start"),
      stop: () => void events.push("pool.stop"),
      stats: () => ({ handouts: 5, fromPool: 4, waiting: 2 }),
    },
    reachability: {
      get isReachable() {
        return reachable;
      },
      onChange: (listener) => (reachabilityListener = listener),
    },
    terminateWorker: () => void events.push("terminate"),
  };
  const boundary = new ParaBoundary(parts, { logger: { warn: (_fields, message) => void warnings.push(message) }, warmRetryMs: 2_000 });
  boundary.onStatus((status) => statuses.push(status));
  const setReachable = (value: boolean) => {
    reachable = value;
    reachabilityListener?.(value);
  };
  return { boundary, events, statuses, warnings, setReachable };
}

describe("ParaBoundary lifecycle", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  test("start retries a failing warm-up and reports ready once warm; the pool starts only then", async () => {
    const { boundary, events, statuses, warnings } = setUp(["fail", "fail", "ok"]);
    boundary.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(["worker.ready"]);
    expect(boundary.status().ready).toBe(false);
    expect(warnings).toEqual(["signing worker could not start; retrying"]);

    await vi.advanceTimersByTimeAsync(2_000);
    expect(events).toEqual(["worker.ready", "worker.ready"]);
    expect(statuses).toEqual([]);

    await vi.advanceTimersByTimeAsync(2_000);
    expect(events).toEqual(["worker.ready", "worker.ready", "worker.ready", "pool.start"]);
    expect(statuses).toEqual([{ ready: true, reachable: true }]);
    expect(boundary.status()).toEqual({ ready: true, reachable: true });
    expect(vi.getTimerCount()).toBe(0);
    await boundary.stop();
  });

  test("stop before ready leaves no timer and starts nothing afterwards", async () => {
    const { boundary, events, statuses } = setUp([]);
    boundary.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1); // the retry
    await boundary.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events).toEqual(["worker.ready", "pool.stop", "worker.stop", "terminate"]);
    expect(statuses).toEqual([]);
  });

  test("a warm-up that succeeds after stop neither starts the pool nor reports ready", async () => {
    let warmed!: () => void;
    const { boundary, events, statuses } = setUp([new Promise<void>((resolve) => (warmed = resolve))]);
    boundary.start();
    const stopped = boundary.stop();
    warmed();
    await stopped;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events).not.toContain("pool.start");
    expect(statuses).toEqual([]);
    expect(boundary.status().ready).toBe(false);
  });

  test("status events on reachability changes, before and after ready", async () => {
    const { boundary, statuses, warnings, setReachable } = setUp(["ok"]);
    setReachable(false);
    expect(statuses).toEqual([{ ready: false, reachable: false }]);
    boundary.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.at(-1)).toEqual({ ready: true, reachable: false });
    setReachable(true);
    expect(statuses.at(-1)).toEqual({ ready: true, reachable: true });
    expect(statuses).toHaveLength(3);
    expect(warnings).toEqual(["Para is unreachable", "Para is reachable again"]);
    await boundary.stop();
  });

  test("stop: the pool, then the worker through the SDK's reset; once; ready turns false", async () => {
    const { boundary, events, statuses } = setUp(["ok"]);
    boundary.start();
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all([boundary.stop(), boundary.stop()]);
    expect(events).toEqual(["worker.ready", "pool.start", "pool.stop", "worker.stop", "terminate"]);
    expect(statuses).toEqual([
      { ready: true, reachable: true },
      { ready: false, reachable: true },
    ]);
    expect(() => boundary.start()).toThrow(/cannot start/);
  });

  test("stats reads the pool's, the worker's and the key set's counters", () => {
    const { boundary } = setUp([]);
    expect(boundary.stats()).toEqual({
      pool: { handouts: 5, fromPool: 4, waiting: 2 },
      worker: { ...WORKER_STATS, warmups: 1 },
      jwks: { fetches: 3, failures: 1, keys: 2 },
      // The SDK on the main thread: no SDK threads.
      threads: { configured: 0, ready: 0, crashes: 0, replacements: 0 },
    });
  });
});
