import { setMaxListeners } from "node:events";
import { inspect } from "node:util";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "../../src/errors/error-model.js";
import { DEFAULT_IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from "../../src/idempotency/idempotency-options.js";
import { idempotencyEntryId, MemoryIdempotencyStore } from "../../src/idempotency/memory-idempotency-store.js";

/** The per-process idempotency store: replay, reuse, duplicates in flight, what is remembered, expiry and bounds. */

const USER = "user-1";
const KEY = "order-7f3c9a1e-secret-ish-key";
const FP = "fingerprint-a";
const never = new AbortController().signal;
// Every run in this file waits on this one signal (50 duplicates at once in one test); a real call has its own.
setMaxListeners(100, never);

const bytesOf = (text: string) => new TextEncoder().encode(text);

/** A `work` that counts its runs and answers what `answer` says, for the n-th run (0-based). */
function countingWork(answer: (run: number) => Promise<Uint8Array> | Uint8Array) {
  const counter = {
    runs: 0,
    work: async () => answer(counter.runs++),
  };
  return counter;
}

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A clock the test moves by hand (no real sleeping). */
function manualClock(start = 1_000) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

function store(options: Partial<IdempotencyOptions> = {}, now?: () => number) {
  return new MemoryIdempotencyStore({ ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options }, now);
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return error as ConnectError;
  }
  throw new Error("expected a rejection");
}

/** Lets every already-queued promise reaction run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("replay", () => {
  test("the same key and request answer the first bytes again, and work ran once", async () => {
    const s = store();
    const w = countingWork((run) => bytesOf(`signature-${run}`));
    const first = await s.run(USER, KEY, FP, never, w.work);
    const second = await s.run(USER, KEY, FP, never, w.work);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(new TextDecoder().decode(second)).toBe("signature-0");
    expect(w.runs).toBe(1);
    expect(s.stats()).toMatchObject({ entries: 1, inFlight: 0, bytes: first.byteLength });
  });

  test("a caller mutating its answer does not change what is replayed", async () => {
    const s = store();
    const first = await s.run(USER, KEY, FP, never, async () => bytesOf("abc"));
    first.fill(0);
    const replay = await s.run(USER, KEY, FP, never, async () => bytesOf("other"));
    replay.fill(0);
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, async () => bytesOf("other")))).toBe("abc");
  });

  test("the same key under another scope (user) is independent", async () => {
    const s = store();
    const w = countingWork((run) => bytesOf(`signature-${run}`));
    expect(new TextDecoder().decode(await s.run("user-1", KEY, FP, never, w.work))).toBe("signature-0");
    expect(new TextDecoder().decode(await s.run("user-2", KEY, "another-request", never, w.work))).toBe("signature-1");
    expect(new TextDecoder().decode(await s.run("user-2", KEY, "another-request", never, w.work))).toBe("signature-1");
    expect(w.runs).toBe(2);
  });

  test("scope and key cannot be shifted into one another", () => {
    expect(idempotencyEntryId("ab", "c")).not.toBe(idempotencyEntryId("a", "bc"));
    expect(idempotencyEntryId("a\0", "b")).not.toBe(idempotencyEntryId("a", "\0b"));
  });
});

describe("reuse with another request", () => {
  test("is FAILED_PRECONDITION / IDEMPOTENCY_KEY_REUSED, work does not run, and the key is nowhere in the error", async () => {
    const s = store();
    const w = countingWork(() => bytesOf("sig"));
    await s.run(USER, KEY, FP, never, w.work);
    const error = await rejection(s.run(USER, KEY, "fingerprint-b", never, w.work));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.findDetails(ErrorInfoSchema)).toEqual([expect.objectContaining({ reason: "IDEMPOTENCY_KEY_REUSED", domain: ERROR_DOMAIN })]);
    expect(w.runs).toBe(1);
    const everything = inspect(error, { depth: Number.POSITIVE_INFINITY }) + JSON.stringify(error.findDetails(ErrorInfoSchema));
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(USER);
    expect(error.message).not.toContain(KEY);
  });

  test("is refused while the first run is still in flight too", async () => {
    const s = store();
    const gate = deferred<Uint8Array>();
    const first = s.run(USER, KEY, FP, never, () => gate.promise);
    const error = await rejection(s.run(USER, KEY, "fingerprint-b", never, async () => bytesOf("x")));
    expect(error.code).toBe(Code.FailedPrecondition);
    gate.resolve(bytesOf("sig"));
    expect(new TextDecoder().decode(await first)).toBe("sig");
  });
});

describe("duplicates in flight", () => {
  test("50 concurrent duplicates: work runs once and all get the same bytes", async () => {
    const s = store();
    const gate = deferred<Uint8Array>();
    let runs = 0;
    const work = () => {
      runs++;
      return gate.promise;
    };
    const calls = Array.from({ length: 50 }, () => s.run(USER, KEY, FP, never, work));
    await settle();
    expect(s.stats()).toMatchObject({ entries: 1, inFlight: 1 });
    gate.resolve(bytesOf("the-one-signature"));
    const answers = await Promise.all(calls);
    expect(runs).toBe(1);
    for (const answer of answers) expect(new TextDecoder().decode(answer)).toBe("the-one-signature");
    expect(s.stats()).toMatchObject({ entries: 1, inFlight: 0 });
  });

  test("a duplicate whose own signal aborts stops waiting; the first completes and is remembered", async () => {
    const s = store();
    const gate = deferred<Uint8Array>();
    const w = countingWork(() => gate.promise);
    const first = s.run(USER, KEY, FP, never, w.work);
    const duplicateCaller = new AbortController();
    const duplicate = s.run(USER, KEY, FP, duplicateCaller.signal, w.work);
    duplicateCaller.abort();
    const error = await rejection(duplicate);
    expect(error.code).toBe(Code.Canceled);

    gate.resolve(bytesOf("sig"));
    expect(new TextDecoder().decode(await first)).toBe("sig");
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("sig");
    expect(w.runs).toBe(1);
  });

  test("a caller that gives up gets the error its signal carries, and its started work is still recorded", async () => {
    const s = store();
    const gate = deferred<Uint8Array>();
    const w = countingWork(() => gate.promise);
    const caller = new AbortController();
    const first = s.run(USER, KEY, FP, caller.signal, w.work);
    caller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    expect((await rejection(first)).code).toBe(Code.DeadlineExceeded);

    gate.resolve(bytesOf("late-signature"));
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("late-signature");
    expect(w.runs).toBe(1);
  });

  test("a call whose signal is already aborted does not start work", async () => {
    const s = store();
    const w = countingWork(() => bytesOf("sig"));
    const error = await rejection(s.run(USER, KEY, FP, AbortSignal.abort(), w.work));
    expect(error.code).toBe(Code.Canceled);
    expect(w.runs).toBe(0);
    expect(s.stats().entries).toBe(0);
  });

  test("a definitive failure of the run it waited for is shared with the duplicate", async () => {
    const s = store();
    const gate = deferred<Uint8Array>();
    const w = countingWork(() => gate.promise);
    const first = s.run(USER, KEY, FP, never, w.work);
    const duplicate = s.run(USER, KEY, FP, never, w.work);
    const refusal = new ConnectError("transaction review required", Code.FailedPrecondition);
    gate.reject(refusal);
    expect(await rejection(first)).toBe(refusal);
    expect(await rejection(duplicate)).toBe(refusal);
    expect(w.runs).toBe(1);
  });

  test("a retryable failure of the run it waited for makes the duplicate run its own work", async () => {
    const s = store();
    const firstGate = deferred<Uint8Array>();
    const w = countingWork((run) => (run === 0 ? firstGate.promise : bytesOf("retry-signature")));
    const first = s.run(USER, KEY, FP, never, w.work);
    const duplicate = s.run(USER, KEY, FP, never, w.work);
    firstGate.reject(new ConnectError("the first caller went away", Code.Canceled));
    expect((await rejection(first)).code).toBe(Code.Canceled);
    expect(new TextDecoder().decode(await duplicate)).toBe("retry-signature");
    expect(w.runs).toBe(2);
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("retry-signature");
    expect(w.runs).toBe(2);
  });
});

describe("failures are not remembered", () => {
  test.each([
    ["UNAVAILABLE", Code.Unavailable],
    ["RESOURCE_EXHAUSTED", Code.ResourceExhausted],
    ["DEADLINE_EXCEEDED", Code.DeadlineExceeded],
    ["CANCELLED", Code.Canceled],
    ["INTERNAL", Code.Internal],
  ])("retryable %s: the next call with the same key runs work again", async (_name, code) => {
    const s = store();
    const w = countingWork((run) => {
      if (run === 0) throw new ConnectError("transient", code);
      return bytesOf("sig");
    });
    expect((await rejection(s.run(USER, KEY, FP, never, w.work))).code).toBe(code);
    expect(s.stats().entries).toBe(0);
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("sig");
    expect(w.runs).toBe(2);
  });

  test.each([
    ["INVALID_ARGUMENT", Code.InvalidArgument],
    ["NOT_FOUND", Code.NotFound],
    ["PERMISSION_DENIED", Code.PermissionDenied],
    ["FAILED_PRECONDITION", Code.FailedPrecondition],
    ["UNAUTHENTICATED", Code.Unauthenticated],
  ])("definitive %s: not remembered either (a failed signing call signed nothing), so the same request runs again", async (_name, code) => {
    const s = store();
    const w = countingWork((run) => {
      if (run === 0) throw new ConnectError("refused", code);
      return bytesOf("approved-signature");
    });
    expect((await rejection(s.run(USER, KEY, FP, never, w.work))).code).toBe(code);
    expect(s.stats().entries).toBe(0);
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("approved-signature");
    expect(w.runs).toBe(2);
  });

  test("after a failure the key is free for another request too", async () => {
    const s = store();
    await rejection(
      s.run(USER, KEY, FP, never, async () => {
        throw new ConnectError("refused", Code.InvalidArgument);
      }),
    );
    expect(new TextDecoder().decode(await s.run(USER, KEY, "fixed-request", never, async () => bytesOf("sig")))).toBe("sig");
  });
});

describe("expiry", () => {
  test("a result is replayed until its time runs out, then the key runs again", async () => {
    const clock = manualClock();
    const s = store({ ttlMs: 60_000 }, clock.read);
    const w = countingWork((run) => bytesOf(`signature-${run}`));
    await s.run(USER, KEY, FP, never, w.work);
    clock.now += 59_999;
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("signature-0");
    clock.now += 1;
    expect(new TextDecoder().decode(await s.run(USER, KEY, "another-request", never, w.work))).toBe("signature-1");
    expect(w.runs).toBe(2);
    expect(s.stats().expired).toBe(1);
  });

  test("expired results are swept without being looked up, and their bytes released", async () => {
    const clock = manualClock();
    const s = store({ ttlMs: 1_000 }, clock.read);
    await s.run(USER, "k1", FP, never, async () => bytesOf("aaaa"));
    clock.now += 500;
    await s.run(USER, "k2", FP, never, async () => bytesOf("bbbb"));
    expect(s.stats()).toMatchObject({ entries: 2, bytes: 8 });
    clock.now += 500;
    expect(s.stats()).toMatchObject({ entries: 1, bytes: 4, expired: 1 });
    clock.now += 500;
    expect(s.stats()).toMatchObject({ entries: 0, bytes: 0, expired: 2 });
  });

  test("a run in flight does not expire however long it takes", async () => {
    const clock = manualClock();
    const s = store({ ttlMs: 1_000 }, clock.read);
    const gate = deferred<Uint8Array>();
    const w = countingWork(() => gate.promise);
    const first = s.run(USER, KEY, FP, never, w.work);
    clock.now += 10_000;
    const duplicate = s.run(USER, KEY, FP, never, w.work);
    expect(s.stats()).toMatchObject({ entries: 1, inFlight: 1 });
    gate.resolve(bytesOf("sig"));
    await Promise.all([first, duplicate]);
    expect(w.runs).toBe(1);
    // Remembered for its full time from completion, not from start.
    clock.now += 999;
    expect(new TextDecoder().decode(await s.run(USER, KEY, FP, never, w.work))).toBe("sig");
  });
});

describe("memory bounds", () => {
  test("maxEntries: the oldest results are evicted first", async () => {
    const s = store({ maxEntries: 3 });
    const w = countingWork((run) => bytesOf(`signature-${run}`));
    for (const key of ["k0", "k1", "k2", "k3", "k4"]) await s.run(USER, key, FP, never, w.work);
    expect(s.stats()).toMatchObject({ entries: 3, evicted: 2 });
    expect(new TextDecoder().decode(await s.run(USER, "k4", FP, never, w.work))).toBe("signature-4");
    expect(new TextDecoder().decode(await s.run(USER, "k2", FP, never, w.work))).toBe("signature-2");
    expect(w.runs).toBe(5);
    expect(new TextDecoder().decode(await s.run(USER, "k0", FP, never, w.work))).toBe("signature-5");
  });

  test("maxBytes: held bytes stay within the bound, oldest evicted first", async () => {
    const s = store({ maxBytes: 100 });
    const w = countingWork((run) => new Uint8Array(40).fill(run));
    for (const key of ["k0", "k1", "k2", "k3"]) {
      await s.run(USER, key, FP, never, w.work);
      expect(s.stats().bytes).toBeLessThanOrEqual(100);
    }
    expect(s.stats()).toMatchObject({ entries: 2, bytes: 80, evicted: 2 });
    expect((await s.run(USER, "k3", FP, never, w.work))[0]).toBe(3);
    expect((await s.run(USER, "k1", FP, never, w.work))[0]).toBe(4);
  });

  test("a response larger than maxBytes is answered but not remembered", async () => {
    const s = store({ maxBytes: 10 });
    const w = countingWork(() => new Uint8Array(11));
    expect((await s.run(USER, KEY, FP, never, w.work)).byteLength).toBe(11);
    expect(s.stats()).toMatchObject({ entries: 0, bytes: 0 });
    await s.run(USER, KEY, FP, never, w.work);
    expect(w.runs).toBe(2);
  });

  test("runs in flight are never evicted: their duplicates still wait for them", async () => {
    const s = store({ maxEntries: 2 });
    const gates = [deferred<Uint8Array>(), deferred<Uint8Array>()];
    let runs = 0;
    const held = gates.map((gate, i) =>
      s.run(USER, `held-${i}`, FP, never, () => {
        runs++;
        return gate.promise;
      }),
    );
    for (const key of ["k0", "k1", "k2"]) await s.run(USER, key, FP, never, async () => bytesOf(key));
    // Only results were evicted to make room; both runs are still filed.
    expect(s.stats().inFlight).toBe(2);
    const duplicates = gates.map((_, i) =>
      s.run(USER, `held-${i}`, FP, never, async () => {
        runs++;
        return bytesOf("second run");
      }),
    );
    gates.forEach((gate, i) => {
      gate.resolve(bytesOf(`held-${i}`));
    });
    const answers = await Promise.all([...held, ...duplicates]);
    expect(answers.map((a) => new TextDecoder().decode(a))).toEqual(["held-0", "held-1", "held-0", "held-1"]);
    expect(runs).toBe(2);
    expect(s.stats().entries).toBeLessThanOrEqual(2);
  });
});

describe("secrecy", () => {
  test("neither key nor scope is held in clear: the store files entries under a hash", async () => {
    const s = store();
    const keys = ["pay-0001-aa11bb22cc", "pay-0002-dd33ee44ff", "pay-0003-0a1b2c3d4e"];
    const gate = deferred<Uint8Array>();
    for (const key of keys.slice(0, 2)) await s.run("para-user-9f8e7d", key, FP, never, async () => bytesOf("sig"));
    const inFlight = s.run("para-user-9f8e7d", keys[2] as string, FP, never, () => gate.promise);

    const dump = inspect(s, { depth: Number.POSITIVE_INFINITY, showHidden: true, maxArrayLength: null, maxStringLength: null });
    // The dump does show the store's entries (by their ids), so the absence below is meaningful.
    for (const key of keys) expect(dump).toContain(idempotencyEntryId("para-user-9f8e7d", key));
    for (const key of keys) expect(dump).not.toContain(key);
    expect(dump).not.toContain("para-user-9f8e7d");
    expect(JSON.stringify(s.stats())).not.toMatch(/pay-|para-user/);

    gate.resolve(bytesOf("sig"));
    await inFlight;
  });
});

describe("options", () => {
  test.each([{ ttlMs: 0 }, { maxEntries: -1 }, { maxBytes: Number.NaN }, { maxEntries: 1.5 }])("refuses %o", (bad) => {
    expect(() => store(bad)).toThrow(/must be a positive integer/);
  });

  test("defaults: 24 h, bounded entries and bytes", () => {
    expect(DEFAULT_IDEMPOTENCY_OPTIONS.ttlMs).toBe(24 * 60 * 60 * 1000);
    expect(DEFAULT_IDEMPOTENCY_OPTIONS.maxEntries).toBeGreaterThan(0);
    expect(DEFAULT_IDEMPOTENCY_OPTIONS.maxBytes).toBeGreaterThan(0);
  });
});
