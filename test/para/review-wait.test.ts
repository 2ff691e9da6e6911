import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { reviewDeadline, type ReviewState, waitForReview } from "../../src/para/review-wait.js";

/** A poll that answers from a script, recording when it was asked (on a fake clock the sleeps do not advance). */
function scripted(states: ReviewState[]) {
  const asked: number[] = [];
  return {
    asked,
    poll: async () => {
      asked.push(asked.length);
      return states[Math.min(asked.length - 1, states.length - 1)]!;
    },
  };
}

describe("waitForReview", () => {
  test("answers the decision as soon as a poll sees it", async () => {
    for (const decision of ["approved", "denied"] as const) {
      const script = scripted(["pending", "pending", decision]);
      const state = await waitForReview(script.poll, {
        signal: new AbortController().signal,
        untilMs: Number.POSITIVE_INFINITY,
        firstDelayMs: 1,
        maxDelayMs: 2,
      });
      expect(state).toBe(decision);
      expect(script.asked).toHaveLength(3);
    }
  });

  test("still pending when the time to answer comes: 'pending', without another poll", async () => {
    let now = 0;
    const script = scripted(["pending"]);
    const state = await waitForReview(
      async () => {
        now += 1_000; // every poll moves the clock past the next one
        return script.poll();
      },
      { signal: new AbortController().signal, untilMs: 2_500, firstDelayMs: 1, now: () => now },
    );
    expect(state).toBe("pending");
    expect(script.asked).toHaveLength(3);
  });

  test("the caller giving up ends the wait with the caller's own error", async () => {
    const controller = new AbortController();
    const script = scripted(["pending"]);
    const waiting = waitForReview(script.poll, { signal: controller.signal, untilMs: Number.POSITIVE_INFINITY, firstDelayMs: 60_000 });
    await new Promise((r) => setImmediate(r));
    controller.abort(new ConnectError("deadline", Code.DeadlineExceeded));
    await expect(waiting).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    expect(script.asked).toHaveLength(1);
  });

  test("polls back off: each wait half again the last, up to the cap, and never past the time to answer", async () => {
    const waits: number[] = [];
    let now = 0;
    const script = scripted(["pending", "pending", "pending", "pending", "pending", "approved"]);
    const state = await waitForReview(script.poll, {
      signal: new AbortController().signal,
      untilMs: 10_000,
      pollGraceMs: 100,
      firstDelayMs: 1_000,
      maxDelayMs: 3_000,
      now: () => now,
      wait: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    expect(state).toBe("approved");
    expect(waits).toEqual([1_000, 1_500, 2_250, 3_000, 2_250]);
  });
});

describe("reviewDeadline", () => {
  test("stops a tenth of the time before the deadline, between 50 ms and 1 s, and gives the last poll half of that", () => {
    expect(reviewDeadline(10_000, 0)).toEqual({ untilMs: 9_000, pollGraceMs: 500 });
    expect(reviewDeadline(100_000, 0)).toEqual({ untilMs: 99_000, pollGraceMs: 500 });
    expect(reviewDeadline(200, 0)).toEqual({ untilMs: 150, pollGraceMs: 25 });
    expect(reviewDeadline(20, 0)).toEqual({ untilMs: 0, pollGraceMs: 25 });
  });

  test("a poll that outlasts the window is still pending: the answer does not wait for it", async () => {
    let now = 0;
    const state = await waitForReview(() => new Promise<ReviewState>(() => undefined), {
      signal: new AbortController().signal,
      untilMs: 0,
      pollGraceMs: 20,
      now: () => now++,
    });
    expect(state).toBe("pending");
  });
});
