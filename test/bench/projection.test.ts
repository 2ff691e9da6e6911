import { describe, expect, test } from "vitest";
import { autoThreads, patternAt, signerAt } from "../../bench/projection.js";

describe("the core projection's model", () => {
  // Per-call CPU (ms) shaped like the 2-core measurements: a thin main thread, the SDK's work on one other thread.
  const signer = { main: 2, busiest: 10, total: 13, throughput: 0 };
  const pattern = { main: 7.5, total: 10, throughput: 0 };

  test("SDK threads follow SIGNER_SDK_THREADS=auto: none below 2 cores, one per core up to 8", () => {
    expect([1, 1.5, 2, 4, 8, 16].map(autoThreads)).toEqual([0, 0, 2, 4, 8, 8]);
  });

  test("the limit moves from the cores to the main thread as cores are added", () => {
    expect(signerAt(signer, 1)).toMatchObject({ threads: 0, limit: "main thread" });
    expect(signerAt(signer, 1).x).toBeCloseTo(1000 / 13);
    expect(signerAt(signer, 2)).toMatchObject({ threads: 2, limit: "cores" });
    expect(signerAt(signer, 2).x).toBeCloseTo(2000 / 13);
    expect(signerAt(signer, 4)).toMatchObject({ threads: 4, limit: "cores" });
    expect(signerAt(signer, 16)).toMatchObject({ threads: 8, limit: "main thread", x: 500 });
    // More processes (SIGNER_WORKERS) lift the main-thread limit: two are still main-bound here, three reach the cores.
    expect(signerAt(signer, 16, 2)).toMatchObject({ limit: "main thread", x: 1000 });
    expect(signerAt(signer, 16, 3)).toMatchObject({ limit: "cores" });
  });

  test("the pattern never passes its one main thread, however many cores", () => {
    expect(patternAt({ ...pattern, busiest: 0 }, 1)).toMatchObject({ limit: "cores", x: 100 });
    expect(patternAt({ ...pattern, busiest: 0 }, 16).x).toBeCloseTo(1000 / 7.5);
  });
});
