import { describe, expect, test } from "vitest";
import { P50, RunView, THROUGHPUT } from "../../bench/aggregate.js";
import { median } from "../../bench/stats.js";
import type { BenchRun, StepRecord } from "../../bench/results.js";

function step(system: string, round: number, throughput: number, p50: number): StepRecord {
  return {
    system,
    latencyMs: 20,
    rpc: "CheckSession",
    concurrency: 64,
    round,
    ok: 100,
    errors: round === 0 ? { UNAVAILABLE: 1 } : {},
    throughput,
    elapsedMs: 1000,
    latency: { count: 100, p50, p90: p50, p99: p50, max: p50, mean: p50 },
    cpuPercent: 100,
    cpuMsPerCall: 10,
    peakRssMiB: 100 + round,
    maxThreads: 12,
    benchCpuPercent: 20,
    othersCpuPercent: 0,
  };
}

const key = { latencyMs: 20, rpc: "CheckSession" as const, concurrency: 64 };

describe("bench aggregation", () => {
  test("median of odd and even counts, ignoring non-finite values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  test("a cell is the median of its rounds; counts add up; peaks are maxima", () => {
    const view = new RunView({ steps: [step("a", 0, 100, 10), step("a", 1, 300, 30), step("a", 2, 200, 20)] } as BenchRun);
    const cell = view.cell("a", key);
    expect(cell).toMatchObject({ rounds: 3, ok: 300, throughput: 200, p50: 20, peakRssMiB: 102, errors: { UNAVAILABLE: 1 } });
    expect(view.cell("missing", key)).toBeUndefined();
  });

  test("ratios pair the same round of both systems, not their medians", () => {
    // a is 2x b in every round, although the rounds themselves drift a lot.
    const steps = [step("a", 0, 200, 5), step("b", 0, 100, 10), step("a", 1, 800, 5), step("b", 1, 400, 10), step("a", 2, 50, 5), step("b", 2, 25, 10)];
    const view = new RunView({ steps } as BenchRun);
    expect(view.paired("a", "b", key, THROUGHPUT)).toEqual({ median: 2, min: 2, max: 2, n: 3 });
    expect(view.paired("a", "b", key, P50)).toMatchObject({ median: 0.5, n: 3 });
    // A round one side lacks is left out; with none in common there is no ratio at all.
    expect(new RunView({ steps: steps.slice(0, 3) } as BenchRun).paired("a", "b", key, THROUGHPUT).n).toBe(1);
    expect(view.paired("a", "missing", key, THROUGHPUT)).toEqual({ median: NaN, min: NaN, max: NaN, n: 0 });
  });
});
