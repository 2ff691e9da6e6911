import { describe, expect, test } from "vitest";
import { autoThreads, patternAt, signerAt } from "../../bench/projection.js";

describe("the core projection's model", () => {
  // Per-call CPU (ms) shaped like the 2-core measurements: a thin main thread, the SDK's work on one other thread.
  const signer = { main: 2, busiest: 10, total: 13, throughput: 0 };
  const pattern = { main: 7.5, total: 10, throughput: 0 };

  test("SDK threads follow SIGNER_SDK_THREADS=auto: none below 2 cores, one per core up to 4", () => {
    expect([1, 1.5, 2, 4, 8, 16].map(autoThreads)).toEqual([0, 0, 2, 4, 4, 4]);
  });

  test("the limit moves from the cores to the SDK threads (or a heavy main thread) as cores are added", () => {
    expect(signerAt(signer, 1)).toMatchObject({ threads: 0, limit: "main thread" });
    expect(signerAt(signer, 1).x).toBeCloseTo(1000 / 13);
    expect(signerAt(signer, 2)).toMatchObject({ threads: 2, limit: "cores" });
    expect(signerAt(signer, 2).x).toBeCloseTo(2000 / 13);
    expect(signerAt(signer, 4)).toMatchObject({ threads: 4, limit: "cores" });
    // Auto stops at 4 threads: on 16 cores those are the limit here, and more processes (SIGNER_WORKERS) add theirs.
    expect(signerAt(signer, 16)).toMatchObject({ threads: 4, limit: "SDK threads", x: 400 });
    expect(signerAt(signer, 16, 2)).toMatchObject({ limit: "SDK threads", x: 800 });
    expect(signerAt(signer, 16, 4)).toMatchObject({ limit: "cores" });
    // With a thin main thread the SDK threads bind first; with a heavy one, the main thread does.
    expect(signerAt({ ...signer, main: 4 }, 16)).toMatchObject({ limit: "main thread", x: 250 });
  });

  test("the pattern never passes its one main thread, however many cores", () => {
    expect(patternAt({ ...pattern, busiest: 0 }, 1)).toMatchObject({ limit: "cores", x: 100 });
    expect(patternAt({ ...pattern, busiest: 0 }, 16).x).toBeCloseTo(1000 / 7.5);
  });
});
