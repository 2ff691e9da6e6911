// SIGNER_WORKERS > 1: a worker that dies is replaced after a back-off, so one that dies at start-up is not re-forked
// in a hot loop. The schedule is a pure function; runPrimary only keeps its state per worker slot.
import { describe, expect, test } from "vitest";
import { RESTART_POLICY, restartBackoff } from "../src/runtime/cluster.js";

/** The waits for `deaths` deaths in a row, each after the worker lived `livedMs`. */
function schedule(deaths: number, livedMs: number): number[] {
  const waits: number[] = [];
  let streak = 0;
  for (let i = 0; i < deaths; i++) {
    const next = restartBackoff(streak, livedMs);
    waits.push(next.delayMs);
    streak = next.streak;
  }
  return waits;
}

describe("restartBackoff", () => {
  test("workers dying at start-up: 1 s doubling to 30 s, then 30 s for ever", () => {
    expect(schedule(9, 200)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(schedule(200, 0).at(-1)).toBe(30_000); // no overflow however long the streak
  });

  test("a worker that lived 60 s was healthy: its death starts again at 1 s", () => {
    let streak = schedule(5, 10).length; // five quick deaths in a row
    expect(restartBackoff(streak, 59_999).delayMs).toBe(30_000);
    const afterHealthy = restartBackoff(streak, RESTART_POLICY.resetAfterMs);
    expect(afterHealthy).toEqual({ delayMs: 1_000, streak: 1 });
    streak = afterHealthy.streak;
    expect(restartBackoff(streak, 10).delayMs).toBe(2_000); // and a quick death after that doubles again
  });

  test("the policy is a parameter", () => {
    const policy = { initialMs: 100, maxMs: 250, resetAfterMs: 1_000 };
    expect([0, 1, 2, 3].map((s) => restartBackoff(s, 0, policy).delayMs)).toEqual([100, 200, 250, 250]);
  });
});
