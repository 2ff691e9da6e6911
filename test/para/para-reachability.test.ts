import { metrics, trace } from "@opentelemetry/api";
import { describe, expect, test } from "vitest";
import { ParaReachability } from "../../src/para/para-reachability.js";
import { ParaTelemetry } from "../../src/para/para-telemetry.js";

/**
 * Who could mislead this judge: no caller can (it reads only Para's HTTP statuses, never request content). Its
 * adversaries are Para itself, failing or answering again, and the service's own reporting (an SDK thread's late,
 * batched round trips; a wall clock stepped back). Honest traffic is what resets it: any answer below 500.
 */

/** A reachability judge and the changes it announced. */
function judge() {
  const changes: boolean[] = [];
  return { reachability: new ParaReachability((reachable) => changes.push(reachable)), changes };
}

describe("ParaReachability: Para's reachability from the round trips the service makes anyway", () => {
  test("three failures in a row (no answer, or a 5xx) mean unreachable; one answer below 500 means reachable again", () => {
    const { reachability, changes } = judge();
    reachability.observe(503, 1);
    reachability.observe(undefined, 2);
    expect(reachability.isReachable).toBe(true);
    reachability.observe(500, 3);
    expect(reachability.isReachable).toBe(false);
    // Still down: more failures announce nothing new.
    reachability.observe(502, 4);
    reachability.observe(404, 5);
    expect(reachability.isReachable).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  test("a 429 is an answer (Para is there, only busy), and it breaks a run of failures", () => {
    const { reachability, changes } = judge();
    reachability.observe(503, 1);
    reachability.observe(503, 2);
    reachability.observe(429, 3);
    reachability.observe(503, 4);
    reachability.observe(503, 5);
    expect(reachability.isReachable).toBe(true);
    expect(changes).toEqual([]);
  });

  test("an answer from before an outage, reported after the outage's failures, does not call Para back", () => {
    // SDK threads report a background construction's round trips a few tens of milliseconds late; calls' own
    // failures, meanwhile, are reported at once.
    const { reachability, changes } = judge();
    reachability.observe(503, 110);
    reachability.observe(503, 120);
    reachability.observe(503, 130);
    expect(reachability.isReachable).toBe(false);
    reachability.observe(200, 100); // ended before the first failure
    expect(reachability.isReachable).toBe(false);
    reachability.observe(503, 140);
    reachability.observe(200, 150); // a real answer after the outage
    expect(reachability.isReachable).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  test("a stale failure, reported after a newer answer, does not count toward an outage either", () => {
    const { reachability } = judge();
    reachability.observe(200, 200);
    for (const endedAt of [150, 160, 170]) reachability.observe(503, endedAt);
    expect(reachability.isReachable).toBe(true);
  });

  test("a wall clock stepped back is not taken for a late report: what ends after the step is still judged", () => {
    const { reachability } = judge();
    for (const endedAt of [100_000, 100_010, 100_020]) reachability.observe(503, endedAt);
    expect(reachability.isReachable).toBe(false);
    reachability.observe(200, 40_000); // a minute "earlier": the clock stepped back, the answer is new
    expect(reachability.isReachable).toBe(true);
  });

  test("ParaTelemetry hands the judge each round trip's end, as the SDK thread stamped it", () => {
    const seen: Array<[number | undefined, number]> = [];
    const telemetry = new ParaTelemetry(trace.getTracer("test"), metrics.getMeter("test"), (status, endedAt) => seen.push([status, endedAt]));
    telemetry.roundTrip({ endpoint: "touch", status: 503, durationMs: 3, endedAt: 1_000 });
    const before = Date.now();
    telemetry.roundTrip({ endpoint: "partner", status: 200, durationMs: 2 });
    expect(seen[0]).toEqual([503, 1_000]);
    expect(seen[1]?.[0]).toBe(200);
    expect(seen[1]?.[1]).toBeGreaterThanOrEqual(before);
  });
});
