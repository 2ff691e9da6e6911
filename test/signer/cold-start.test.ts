import { createRequire } from "node:module";
import { afterAll, describe, expect, test } from "vitest";
import { MessageFormat } from "../../gen/para/signer/v1/signer_service_pb.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

// Count every worker thread started in this process: the SDK looks up
// `worker_threads.Worker` at the moment it starts one, so a counting subclass
// installed before the service starts sees them all. (Each test file runs in
// its own process, so this one starts with no SDK worker.)
const workerThreads = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
let started = 0;
const Original = workerThreads.Worker;
workerThreads.Worker = class CountingWorker extends Original {
  constructor(...args: ConstructorParameters<typeof Original>) {
    super(...args);
    started++;
  }
} as typeof Original;

describe("cold start: the SDK's signing worker is warmed before SERVING", () => {
  let h: SignerHarness | undefined;
  afterAll(async () => {
    await h?.stop();
    workerThreads.Worker = Original;
  });

  const burst = async (harness: SignerHarness) => {
    const sessions = await Promise.all(Array.from({ length: 64 }, () => harness.mint()));
    return Promise.allSettled(
      sessions.map((s) => harness.grpc.signMessage({ session: s.session, message: new TextEncoder().encode("cold"), format: MessageFormat.EIP191 })),
    );
  };

  test("SDK on the main thread: 64 concurrent first SignMessage calls at a fresh server all succeed, on one worker thread", async () => {
    expect(started).toBe(0);
    h = await startSignerHarness({ env: { SIGNER_SDK_THREADS: "0" } }); // resolves once health says SERVING
    expect(started).toBe(1);
    const results = await burst(h);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(0);
    expect(started).toBe(1);
    expect(h.service.stats().worker.warmups).toBe(1);
    await h.stop();
    h = undefined;
  });

  test("SDK threads: the same burst succeeds, with one signing worker per SDK thread and none on the main thread", async () => {
    const before = started;
    h = await startSignerHarness({ env: { SIGNER_SDK_THREADS: "2" } });
    const results = await burst(h);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(0);
    const { worker, threads } = h.service.stats();
    expect(threads.configured).toBe(2);
    // Each thread warmed its own signing worker once; the main thread started none (the threads are started
    // through the ESM binding, which this counter does not see).
    expect(worker.warmups).toBe(2);
    expect(started).toBe(before);
  });
});
