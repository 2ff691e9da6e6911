import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { abortError, bounded, untilAborted } from "../../src/para/bounded.js";

/** bounded() and untilAborted(), on fake timers: the cap passes when the test says so, never by real waiting. */

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const CAP_MS = 5_000;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeEach(() => {
  vi.useFakeTimers();
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});

afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  vi.useRealTimers();
});

/** Lets any unhandled rejection of abandoned work surface (Node reports them after the microtask queue drains). */
async function settleRejections(): Promise<void> {
  vi.useRealTimers();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

describe("bounded", () => {
  test("resolves with the work's value, and leaves no timer behind", async () => {
    const work = deferred<string>();
    const result = bounded(work.promise, new AbortController().signal, CAP_MS, "sign");
    work.resolve("signed");
    await expect(result).resolves.toBe("signed");
    expect(vi.getTimerCount()).toBe(0);
  });

  test("rejects with the work's own error", async () => {
    const work = deferred<string>();
    const failure = new ConnectError("para sign: rate limited", Code.ResourceExhausted);
    const result = bounded(work.promise, new AbortController().signal, CAP_MS, "sign");
    work.reject(failure);
    await expect(result).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("the caller's abort ends the wait with the signal's ConnectError, code kept", async () => {
    const work = deferred<string>();
    const caller = new AbortController();
    const result = bounded(work.promise, caller.signal, CAP_MS, "sign");
    const deadline = new ConnectError("the operation timed out", Code.DeadlineExceeded);
    caller.abort(deadline);
    await expect(result).rejects.toBe(deadline);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a signal aborted before the call rejects at once with its reason", async () => {
    const caller = new AbortController();
    const shutdown = new ConnectError("server is shutting down", Code.Unavailable);
    caller.abort(shutdown);
    await expect(bounded(deferred<string>().promise, caller.signal, CAP_MS, "sign")).rejects.toBe(shutdown);
  });

  test("an abort whose reason is not a ConnectError is CANCELLED", async () => {
    const caller = new AbortController();
    const result = bounded(deferred<string>().promise, caller.signal, CAP_MS, "sign");
    caller.abort(new Error("socket closed"));
    await expect(result).rejects.toMatchObject({ code: Code.Canceled, rawMessage: "call aborted" });
  });

  test("the cap passing first: DEADLINE_EXCEEDED naming the step", async () => {
    const result = bounded(deferred<string>().promise, new AbortController().signal, CAP_MS, "wallets");
    const caught = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(CAP_MS - 1);
    let settled = false;
    void result.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await caught).toMatchObject({ code: Code.DeadlineExceeded, rawMessage: "para wallets timed out" });
  });

  test("abandoned work that fails later never surfaces as an unhandled rejection", async () => {
    const capped = deferred<string>();
    const aborted = deferred<string>();
    const caller = new AbortController();
    const first = bounded(capped.promise, new AbortController().signal, CAP_MS, "sign").catch((e: unknown) => e);
    const second = bounded(aborted.promise, caller.signal, CAP_MS, "sign").catch((e: unknown) => e);
    caller.abort(new ConnectError("cancelled", Code.Canceled));
    await vi.advanceTimersByTimeAsync(CAP_MS);
    expect(await first).toMatchObject({ code: Code.DeadlineExceeded });
    expect(await second).toMatchObject({ code: Code.Canceled });
    capped.reject(new Error("worker exited unexpectedly with code 1"));
    aborted.reject(new Error("worker exited unexpectedly with code 1"));
    await settleRejections();
    expect(unhandled).toEqual([]);
  });

  test("work that fails after the signal was already aborted is not unhandled either", async () => {
    const work = deferred<string>();
    const caller = new AbortController();
    caller.abort(new ConnectError("cancelled", Code.Canceled));
    await bounded(work.promise, caller.signal, CAP_MS, "sign").catch(() => undefined);
    work.reject(new Error("late failure"));
    await settleRejections();
    expect(unhandled).toEqual([]);
  });
});

describe("untilAborted", () => {
  test("without a signal it is the work itself", () => {
    const work = Promise.resolve(1);
    expect(untilAborted(work, undefined)).toBe(work);
  });

  test("settles with the work, or rejects with the signal's reason when the caller gives up first", async () => {
    await expect(untilAborted(Promise.resolve("done"), new AbortController().signal)).resolves.toBe("done");
    const caller = new AbortController();
    const work = deferred<string>();
    const result = untilAborted(work.promise, caller.signal);
    const reason = new ConnectError("deadline", Code.DeadlineExceeded);
    caller.abort(reason);
    await expect(result).rejects.toBe(reason);
    work.reject(new Error("late"));
    await settleRejections();
    expect(unhandled).toEqual([]);
  });
});

test("abortError keeps Connect's own ConnectError, else CANCELLED", () => {
  const reason = new ConnectError("deadline", Code.DeadlineExceeded);
  expect(abortError(AbortSignal.abort(reason))).toBe(reason);
  expect(abortError(AbortSignal.abort())).toMatchObject({ code: Code.Canceled });
});
