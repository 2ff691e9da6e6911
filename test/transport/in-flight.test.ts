import { describe, expect, test } from "vitest";
import { InFlightTracker } from "../../src/transport/in-flight.js";

/** Whether `promise` has settled once every callback already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("InFlightTracker", () => {
  test("counts calls in and out; counting one out twice counts it out once", () => {
    const calls = new InFlightTracker();
    const a = calls.enter();
    const b = calls.enter();
    expect(calls.count).toBe(2);
    a();
    a();
    expect(calls.count).toBe(1);
    b();
    expect(calls.count).toBe(0);
  });

  test("whenIdle resolves at once with nothing in flight", async () => {
    expect(await settled(new InFlightTracker().whenIdle())).toBe(true);
  });

  test("whenIdle waits for the last call in flight, and wakes every waiter", async () => {
    const calls = new InFlightTracker();
    const a = calls.enter();
    const b = calls.enter();
    const first = calls.whenIdle();
    const second = calls.whenIdle();
    a();
    expect(await settled(first)).toBe(false);
    b();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
  });

  test("after going idle, a new call makes the next whenIdle wait again", async () => {
    const calls = new InFlightTracker();
    calls.enter()();
    const leave = calls.enter();
    const idle = calls.whenIdle();
    expect(await settled(idle)).toBe(false);
    leave();
    expect(await settled(idle)).toBe(true);
  });
});
