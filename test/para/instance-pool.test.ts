import { describe, expect, test } from "vitest";
import { PristineInstancePool } from "../../src/para/instance-pool.js";
import type { ParaInstance } from "../../src/para/para-sdk.js";

/** A stand-in SDK instance: only its identity and its settle outcome matter to the pool. */
function fakeInstance(id: number, settle: Promise<"ready" | "failed">): ParaInstance & { id: number } {
  const unused = () => {
    throw new Error("not used by the pool");
  };
  return {
    id,
    settled: () => settle,
    importSession: unused,
    checkSession: unused,
    fetchWallets: unused,
    keepSessionAlive: unused,
    issueJwt: unused,
    exportSession: unused,
    assertWallet: unused,
    sign: unused,
    signTransaction: unused,
    pendingTransaction: unused,
    lastFailure: () => undefined,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const never = new AbortController().signal;

describe("PristineInstancePool", () => {
  test("every acquire gets a distinct instance, and none is ever handed out again", async () => {
    let next = 0;
    const built: ParaInstance[] = [];
    const pool = new PristineInstancePool({
      create: async () => {
        const instance = fakeInstance(next++, Promise.resolve("ready"));
        built.push(instance);
        return instance;
      },
      size: 8,
      refillConcurrency: 3,
      maxIdleMs: 60_000,
    });
    pool.start();
    await tick();
    const handed: ParaInstance[] = [];
    for (let round = 0; round < 10; round++) {
      handed.push(...(await Promise.all(Array.from({ length: 7 }, () => pool.acquire(never)))));
      await tick();
    }
    expect(new Set(handed).size).toBe(handed.length);
    expect(pool.stats().handouts).toBe(70);
    expect(pool.stats().fromPool).toBeGreaterThan(0);
    // Whatever still waits in the pool was never handed out.
    const handedSet = new Set(handed);
    expect(built.filter((b) => !handedSet.has(b)).length).toBeGreaterThanOrEqual(pool.size);
    pool.stop();
  });

  test("refuses to hand out the same instance twice even if the constructor returns it again", async () => {
    const same = fakeInstance(1, Promise.resolve("ready"));
    const pool = new PristineInstancePool({ create: async () => same, size: 0, refillConcurrency: 1, maxIdleMs: 1_000 });
    await pool.acquire(never);
    await expect(pool.acquire(never)).rejects.toThrow("handed out twice");
  });

  test("instances whose construction failed are never handed out; the pool drains and backs off", async () => {
    let failing = true;
    let next = 0;
    const pool = new PristineInstancePool({
      create: async () => fakeInstance(next++, Promise.resolve(failing ? "failed" : "ready")),
      size: 4,
      refillConcurrency: 4,
      maxIdleMs: 60_000,
    });
    pool.start();
    await tick();
    expect(pool.size).toBe(0);
    const builtWhileFailing = next;
    // A call now builds its own instance (so it reports Para's state itself).
    await pool.acquire(never);
    expect(pool.stats().fromPool).toBe(0);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 600)); // past the first back-off
    expect(pool.size).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(builtWhileFailing);
    pool.stop();
  });

  test("a stale waiting instance is discarded, not handed out", async () => {
    let next = 0;
    const pool = new PristineInstancePool({ create: async () => fakeInstance(next++, Promise.resolve("ready")), size: 1, refillConcurrency: 1, maxIdleMs: 20 });
    pool.start();
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const first = (await pool.acquire(never)) as ParaInstance & { id: number };
    expect(first.id).toBeGreaterThan(0); // instance 0 went stale and was dropped
    pool.stop();
  });
});
