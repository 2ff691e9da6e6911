import { describe, expect, test } from "vitest";
import { plateaued, settleVerdict, withinTolerance, type SettleCriterion, type WarmupWindow } from "../../bench/settle.js";

const criterion: SettleCriterion = { minCalls: 3000, maxMs: 60_000, tolerance: 0.05, span: 3 };

/** Windows of 1,000 calls each with the given main-thread CPU per call. */
const windows = (...msPerCall: number[]): WarmupWindow[] =>
  msPerCall.map((v) => ({ ok: Number.isFinite(v) ? 1000 : 0, calls: 1000, elapsedMs: 1000, mainCpuMsPerCall: v, cpuMsPerCall: v * 1.2 }));

describe("bench warm-up settle criterion", () => {
  test("flat: every one of the last three within ±5% of their median", () => {
    expect(withinTolerance([4.0, 4.1, 4.2], 0.05)).toBe(true);
    // 4.6 is 12% above the median 4.1.
    expect(withinTolerance([4.0, 4.1, 4.6], 0.05)).toBe(false);
    expect(withinTolerance([4.0, Number.NaN, 4.0], 0.05)).toBe(false);
    expect(withinTolerance([], 0.05)).toBe(false);
  });

  test("plateau: the median of the last three against the three before", () => {
    // Single windows jump by 20%, their medians move by 2.5%.
    expect(plateaued([4.0, 4.8, 4.0, 4.1, 4.9, 4.0], 3, 0.05)).toBe(true);
    // Still falling: medians 6.0 → 5.0.
    expect(plateaued([6.0, 6.2, 5.8, 5.0, 5.2, 4.8], 3, 0.05)).toBe(false);
    expect(plateaued([4.0, 4.0, 4.0, 4.0, 4.0], 3, 0.05)).toBe(false);
  });

  test("a JIT curve settles only once it flattens, and only after the minimum of calls", () => {
    const curve = [7.4, 6.1, 5.0, 4.3, 4.15, 4.1, 4.12];
    const verdicts = curve.map((_, i) => settleVerdict(windows(...curve.slice(0, i + 1)), (i + 1) * 1000, criterion));
    const firstDone = verdicts.findIndex((v) => v.done);
    // 4.3, 4.15, 4.1: within ±5% of 4.15 — settled at the sixth window, not while still falling.
    expect(firstDone).toBe(5);
    expect(verdicts[firstDone]).toEqual({ done: true, settled: true, how: "flat" });

    // Three flat windows of 500 calls of this RPC are not enough calls yet, whatever other RPCs had before.
    const few = windows(4, 4, 4).map((w) => ({ ...w, calls: 500, ok: 500 }));
    expect(settleVerdict(few, 3000, criterion)).toEqual({ done: false });
    expect(settleVerdict([...few, ...few], 6000, criterion)).toMatchObject({ done: true, settled: true });
  });

  test("a noisy but level series settles as a plateau", () => {
    expect(settleVerdict(windows(4.0, 4.8, 4.0, 4.1, 4.9, 4.0), 6000, criterion)).toEqual({ done: true, settled: true, how: "plateau" });
  });

  test("the time limit ends an unsettled warm-up, and failing windows never settle", () => {
    expect(settleVerdict(windows(7, 6, 5, 4), 59_000, criterion)).toEqual({ done: false });
    expect(settleVerdict(windows(7, 6, 5, 4), 60_000, criterion)).toEqual({ done: true, settled: false, how: "timeout" });
    // No successful call: no CPU per call, so nothing to call settled however many calls were sent.
    expect(settleVerdict(windows(Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN), 6000, criterion)).toEqual({ done: false });
  });
});

describe("bench warm-up: the whole process must settle too (SDK work in worker threads)", () => {
  test("a flat main thread does not settle a process whose worker threads are still compiling", () => {
    const main = [1.5, 1.5, 1.5, 1.5, 1.5, 1.5];
    const process = [16, 14, 12.5, 11, 10, 9.5];
    const w: WarmupWindow[] = main.map((m, i) => ({ ok: 1000, calls: 1000, elapsedMs: 1000, mainCpuMsPerCall: m, cpuMsPerCall: process[i]! }));
    expect(settleVerdict(w, 6000, criterion)).toEqual({ done: false });
    const levelled = [...w, ...[9.4, 9.5, 9.3].map((v) => ({ ok: 1000, calls: 1000, elapsedMs: 1000, mainCpuMsPerCall: 1.5, cpuMsPerCall: v }))];
    expect(settleVerdict(levelled, 9000, criterion)).toMatchObject({ done: true, settled: true });
  });
});
