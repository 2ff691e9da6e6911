import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ParaAdmission } from "../../src/para/para-admission.js";

/**
 * ParaAdmission on a fake clock: vitest's fake timers drive `performance.now()` (the bucket's clock) and the
 * timers `reserve` sleeps on, so refill is exercised by moving time, never by waiting for it. Each admission is
 * built after the clock is faked, since it reads the clock when constructed.
 */

// `reserve` sleeps with node:timers/promises, whose ESM binding the fake timers do not replace: route it through the
// global (faked) setTimeout, honouring the signal as Node's does.
vi.mock("node:timers/promises", async (importOriginal) => ({
  ...(await importOriginal<typeof import("node:timers/promises")>()),
  setTimeout: (ms: number, value?: unknown, options?: { signal?: AbortSignal }) =>
    new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) return reject(signal.reason);
      const timer = globalThis.setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      }, ms);
      const onAbort = () => {
        globalThis.clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
}));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Date"] });
});

afterEach(() => {
  vi.useRealTimers();
});

interface Refusal {
  code: Code;
  message: string;
  reason: string | undefined;
  retryMs: number | undefined;
}

function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const retry = error.findDetails(RetryInfoSchema)[0]?.retryDelay;
    return {
      code: error.code,
      message: error.rawMessage,
      reason: error.findDetails(ErrorInfoSchema)[0]?.reason,
      retryMs: retry ? durationMs(retry) : undefined,
    };
  }
  throw new Error("expected a refusal, the call was admitted");
}

describe("the cap on calls talking to Para at once", () => {
  test("refuses the call over the cap with RESOURCE_EXHAUSTED PARA_BUDGET_EXHAUSTED, and admits again once one leaves", () => {
    const admission = new ParaAdmission({ maxConcurrent: 2, perSecond: 0, burst: 0 });
    const first = admission.enter(1);
    admission.enter(1);
    expect(refusalOf(() => admission.enter(1))).toEqual({
      code: Code.ResourceExhausted,
      message: "this server's limit of calls to para at once is reached",
      reason: "PARA_BUDGET_EXHAUSTED",
      retryMs: 50,
    });
    first();
    expect(() => admission.enter(1)).not.toThrow();
  });

  test("releasing twice frees one slot only", () => {
    const admission = new ParaAdmission({ maxConcurrent: 2, perSecond: 0, burst: 0 });
    const release = admission.enter(1);
    admission.enter(1);
    release();
    release();
    admission.enter(1);
    expect(refusalOf(() => admission.enter(1)).reason).toBe("PARA_BUDGET_EXHAUSTED");
  });

  test("0 means no cap", () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 0, burst: 0 });
    for (let i = 0; i < 1_000; i++) admission.enter(1);
  });

  test("a call refused for the rate takes no slot", () => {
    const admission = new ParaAdmission({ maxConcurrent: 1, perSecond: 1, burst: 1 });
    const release = admission.enter(1);
    release();
    expect(refusalOf(() => admission.enter(1)).message).toBe("this server's rate budget toward para is spent");
    vi.advanceTimersByTime(1_000);
    expect(() => admission.enter(1)).not.toThrow();
  });
});

describe("the token bucket of Para round trips", () => {
  test("the burst is spent at once; then RetryInfo says when the tokens will be there", () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    admission.enter(5);
    expect(refusalOf(() => admission.enter(2))).toEqual({
      code: Code.ResourceExhausted,
      message: "this server's rate budget toward para is spent",
      reason: "PARA_BUDGET_EXHAUSTED",
      retryMs: 200,
    });
  });

  test("refills at the sustained rate as the clock moves, never above the burst", () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    admission.enter(5);
    vi.advanceTimersByTime(100);
    admission.enter(1);
    expect(refusalOf(() => admission.enter(1)).retryMs).toBe(100);
    // A long quiet spell fills the bucket to the burst, not beyond.
    vi.advanceTimersByTime(60_000);
    admission.enter(5);
    expect(refusalOf(() => admission.enter(1)).reason).toBe("PARA_BUDGET_EXHAUSTED");
  });

  test("0 per second means no rate limit", () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 0, burst: 0 });
    for (let i = 0; i < 100; i++) admission.enter(50);
  });

  test("charge takes more tokens for a call already admitted, without counting another call", () => {
    const admission = new ParaAdmission({ maxConcurrent: 1, perSecond: 10, burst: 4 });
    admission.enter(1);
    admission.charge(3);
    expect(refusalOf(() => admission.charge(1))).toMatchObject({ code: Code.ResourceExhausted, reason: "PARA_BUDGET_EXHAUSTED", retryMs: 100 });
    vi.advanceTimersByTime(100);
    // The token came back; the concurrency slot was never the issue.
    expect(() => admission.charge(1)).not.toThrow();
  });
});

describe("reserve: waiting for tokens instead of being refused", () => {
  test("takes tokens at once when there are enough", async () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    await admission.reserve(5);
    expect(refusalOf(() => admission.enter(1)).reason).toBe("PARA_BUDGET_EXHAUSTED");
  });

  test("waits until the bucket refilled, and not before", async () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    admission.enter(5);
    let done = false;
    const reserved = admission.reserve(3).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await reserved;
    expect(done).toBe(true);
    // The reservation spent the tokens it waited for.
    expect(refusalOf(() => admission.enter(1)).retryMs).toBe(100);
  });

  test("the caller's signal ends the wait with its error, and the tokens stay in the bucket", async () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    admission.enter(5);
    const caller = new AbortController();
    const reserved = admission.reserve(3, caller.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const deadline = new ConnectError("the operation timed out", Code.DeadlineExceeded);
    caller.abort(deadline);
    expect(await reserved).toBe(deadline);
    await vi.advanceTimersByTimeAsync(200);
    // Three tokens refilled and none was taken by the abandoned reservation.
    admission.enter(3);
  });

  test("an aborted signal refuses before taking anything; without a rate limit nothing waits", async () => {
    const admission = new ParaAdmission({ maxConcurrent: 0, perSecond: 10, burst: 5 });
    const reason = new ConnectError("server is shutting down", Code.Unavailable);
    await expect(admission.reserve(1, AbortSignal.abort(reason))).rejects.toBe(reason);
    admission.enter(5);
    await expect(new ParaAdmission({ maxConcurrent: 0, perSecond: 0, burst: 0 }).reserve(100)).resolves.toBeUndefined();
  });
});
