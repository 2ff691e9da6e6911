import { describe, expect, test } from "vitest";
import { runStep, type Send } from "../../bench/load.js";

/** A fake system: every call answers on a later turn of the event loop; the log says what happened, in order. */
function fakeSystem(outcomeOf: (i: number) => "OK" | "UNAVAILABLE" = () => "OK") {
  const log: Array<"sent" | "done" | "start" | "end"> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send: Send = async (i) => {
    log.push("sent");
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight--;
    log.push("done");
    return outcomeOf(i);
  };
  const hooks = { onMeasureStart: () => log.push("start"), onMeasureEnd: () => log.push("end") };
  return { send, hooks, log, inFlight: () => inFlight, maxInFlight: () => maxInFlight };
}

const between = (log: string[], from: string, to: string) => log.slice(log.indexOf(from) + 1, log.indexOf(to));

describe("bench closed-loop step (the window sees a continuous load)", () => {
  test("honest system: the window opens only after every client went round twice, and counts only calls completed inside it", async () => {
    const s = fakeSystem();
    const r = await runStep(s.send, { concurrency: 8, warmupMs: 5, durationMs: Number.POSITIVE_INFINITY, maxRequests: 50 }, s.hooks);
    const beforeStart = s.log.slice(0, s.log.indexOf("start"));
    expect(beforeStart.filter((e) => e === "done").length).toBeGreaterThanOrEqual(16);
    // Clients never stopped: when the window opened, all eight were already sending again.
    expect(beforeStart.filter((e) => e === "sent").length - beforeStart.filter((e) => e === "done").length).toBe(8);
    expect(between(s.log, "start", "end").filter((e) => e === "done")).toHaveLength(50);
    expect(r.ok).toBe(50);
    expect(r.latency.count).toBe(50);
    // The other seven clients' calls in flight when the 50th closed the window were awaited, not counted, and no
    // call was sent after it.
    const afterEnd = s.log.slice(s.log.indexOf("end") + 1);
    expect(afterEnd).toEqual(Array(7).fill("done"));
    expect(s.inFlight()).toBe(0);
    expect(s.maxInFlight()).toBe(8);
    expect(r.throughput).toBeCloseTo((r.ok * 1000) / r.elapsedMs, 6);
  });

  test("a time-bounded window ends on its timer; failures are counted apart from the latencies", async () => {
    const s = fakeSystem((i) => (i % 4 === 0 ? "UNAVAILABLE" : "OK"));
    const r = await runStep(s.send, { concurrency: 4, warmupMs: 0, durationMs: 40, maxRequests: Number.POSITIVE_INFINITY }, s.hooks);
    const failed = r.errors["UNAVAILABLE"] ?? 0;
    expect(r.ok + failed).toBe(between(s.log, "start", "end").filter((e) => e === "done").length);
    expect(failed).toBeGreaterThan(0);
    expect(r.latency.count).toBe(r.ok);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(39);
    expect(s.log.filter((e) => e === "start")).toHaveLength(1);
    expect(s.log.filter((e) => e === "end")).toHaveLength(1);
  });

  test("without a warm-up the window opens at once (the RSS soak and the warm-up windows count every call)", async () => {
    const s = fakeSystem();
    const r = await runStep(s.send, { concurrency: 2, warmupMs: 0, durationMs: Number.POSITIVE_INFINITY, maxRequests: 10 }, s.hooks);
    expect(s.log[0]).toBe("start");
    expect(r.ok).toBe(10);
  });
});

describe("bench turn warm-up (per-user caches)", () => {
  test("the window waits until every user has called once (warmupCalls), beyond two calls per client", async () => {
    const s = fakeSystem();
    await runStep(s.send, { concurrency: 2, warmupMs: 1, durationMs: Number.POSITIVE_INFINITY, maxRequests: 5, warmupCalls: 40, warmupMaxMs: 60_000 }, s.hooks);
    const beforeStart = s.log.slice(0, s.log.indexOf("start"));
    expect(beforeStart.filter((e) => e === "done").length).toBeGreaterThanOrEqual(40);
  });

  test("a system too slow to serve every user in time is measured after warmupMaxMs anyway", async () => {
    const s = fakeSystem();
    const r = await runStep(
      s.send,
      { concurrency: 1, warmupMs: 1, durationMs: Number.POSITIVE_INFINITY, maxRequests: 3, warmupCalls: 1e9, warmupMaxMs: 30 },
      s.hooks,
    );
    expect(r.ok).toBe(3);
    expect(s.log.filter((e) => e === "start")).toHaveLength(1);
  });
});

describe("bench window restarts at the first user after a warm-up", () => {
  test("the window's first request is request 0 again, so its users called during the warm-up", async () => {
    const seen: number[] = [];
    let measuring = false;
    const send: Send = async (i) => {
      if (measuring) seen.push(i);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return "OK";
    };
    await runStep(
      send,
      { concurrency: 1, warmupMs: 1, durationMs: Number.POSITIVE_INFINITY, maxRequests: 3, warmupCalls: 10, warmupMaxMs: 60_000 },
      { onMeasureStart: () => (measuring = true) },
    );
    // The call in flight when the window opened was sent during the warm-up; the window's own start from 0.
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
  });
});
