// Attacker: SDK work that holds more and more memory in its thread (a leak in the SDK, a flood of instances).
// Honest users: the process and every other call. The thread's heap cap (SIGNER_SDK_THREAD_HEAP_MB) makes such a
// thread end, like a crashed one, instead of growing the process without bound. Real worker threads, no ports.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect, test } from "vitest";
import { SdkThreadPool, type ThreadHandle } from "../../src/para/threads/sdk-thread-pool.js";
import type { SdkThreadOptions } from "../../src/para/threads/sdk-thread-protocol.js";
import { spawnSdkThread, threadHeapLimitMb } from "../../src/para/threads/sdk-thread-spawn.js";

const OPTIONS: SdkThreadOptions = {
  environment: "DEV",
  apiKey: "beta_test",
  proxyConfigured: false,
  anonymousAnswerTtlMs: 0,
  poolSize: 0,
  refillConcurrency: 1,
  maxIdleMs: 1_000,
  settleTimeoutMs: 1_000,
  quarantineMs: 1_000,
  consoleDebug: false,
  heapLimitMb: 512,
  youngGenerationMb: 96,
};

test("an SDK thread gets its old-generation cap and young-generation size; with 0, V8's own", async () => {
  const capped = spawnSdkThread(OPTIONS, 0) as unknown as Worker;
  const uncapped = spawnSdkThread({ ...OPTIONS, heapLimitMb: 0, youngGenerationMb: 0 }, 1) as unknown as Worker;
  // Kept alive until terminated: a stopped worker reports no limits at all.
  const plain = new Worker(`require("node:worker_threads").parentPort.on("message", () => undefined);`, { eval: true });
  try {
    expect(capped.resourceLimits).toMatchObject({ maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 96 });
    // With 0, the thread has what any worker gets here without limits of its own: V8's, known once it runs.
    await Promise.all([once(uncapped, "online"), once(plain, "online")]);
    expect(uncapped.resourceLimits).toEqual(plain.resourceLimits);
    expect(uncapped.resourceLimits?.maxOldGenerationSizeMb).toBeGreaterThan(0);
  } finally {
    await Promise.all([capped.terminate(), uncapped.terminate(), plain.terminate()]);
  }
});

test("the cap is the configured one, unless V8's own for this process (it follows the container's memory) is lower", () => {
  expect(threadHeapLimitMb(2000, 4144)).toBe(2000);
  // A 1 GiB container: V8's own limit is already below 2 GiB, and raising it would let a thread outgrow the pod.
  expect(threadHeapLimitMb(2000, 528)).toBe(528);
  expect(threadHeapLimitMb(0, 528)).toBe(0);
});

/** A thread that says it is ready, then, asked for an instance, holds memory until its cap ends it. */
const GREEDY = `
const { parentPort } = require("node:worker_threads");
parentPort.postMessage({ t: "ready" });
parentPort.on("message", (m) => {
  if (m.t !== "acquire") return;
  const held = [];
  for (;;) held.push(new Array(1 << 16).fill(held.length));
});
`;

test("a thread that outgrows its cap ends like a crashed one: its call fails UNAVAILABLE, the process lives on, a new thread comes", async () => {
  let spawned = 0;
  const pool = new SdkThreadPool({
    count: 1,
    spawn: () => {
      spawned++;
      return new Worker(GREEDY, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 32 } }) as unknown as ThreadHandle;
    },
    onRoundTrip: () => undefined,
    reserveConstruction: async () => undefined,
    minBackoffMs: 10,
  });
  try {
    await pool.ready();
    const error = await pool.acquire(new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect(pool.stats().threads.crashes).toBe(1);
    await pool.ready();
    expect(spawned).toBe(2);
  } finally {
    await pool.stop();
  }
});
