// Attacker: a call whose SDK work takes its thread down (an uncaught error in the SDK, a thread out of memory);
// honest users: every call on the other threads, which must lose nothing. Fake threads, so each crash, answer and
// back-off is driven by the test.
import { EventEmitter } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import { context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { SynchronousContextManager } from "../../src/telemetry/sync-context-manager.js";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { withReason } from "../../src/errors/error-model.js";
import { SdkThreadPool, type ThreadHandle } from "../../src/para/threads/sdk-thread-pool.js";
import { type FromThread, type ToThread, toWire } from "../../src/para/threads/sdk-thread-protocol.js";

/** A thread that answers nothing by itself: each test answers (or crashes) it. */
class FakeThread extends EventEmitter {
  readonly received: ToThread[] = [];
  terminated = false;
  constructor(readonly index: number) {
    super();
  }
  postMessage(message: ToThread): void {
    this.received.push(message);
    // Acquires are answered at once with a new instance number.
    if (message.t === "acquire") queueMicrotask(() => this.send({ t: "ok", trips: [], id: message.id, value: this.received.length, failure: undefined }));
  }
  send(message: FromThread): void {
    this.emit("message", message);
  }
  crash(): void {
    this.emit("exit", 1);
  }
  async terminate(): Promise<number> {
    this.terminated = true;
    return 0;
  }
  ops(): Array<Extract<ToThread, { t: "op" }>> {
    return this.received.filter((m): m is Extract<ToThread, { t: "op" }> => m.t === "op");
  }
}

function poolOf(count: number, extra: Partial<ConstructorParameters<typeof SdkThreadPool>[0]> = {}) {
  const spawned: FakeThread[] = [];
  const pool = new SdkThreadPool({
    count,
    spawn: (index) => {
      const thread = new FakeThread(index);
      spawned.push(thread);
      return thread as unknown as ThreadHandle;
    },
    onRoundTrip: () => undefined,
    reserveConstruction: async () => undefined,
    ...extra,
  });
  return { pool, spawned };
}

const signal = new AbortController().signal;
const flush = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.useRealTimers());

describe("SdkThreadPool", () => {
  test("serves once a thread is ready; each call goes to the least-loaded thread and stays there", async () => {
    const { pool, spawned } = poolOf(2);
    for (const t of spawned) t.send({ t: "ready" });
    await pool.ready();
    const first = await pool.acquire(signal);
    const busy = first.checkSession();
    await flush();
    const busyThread = spawned.find((t) => t.ops().length === 1)!;
    // The other thread has nothing in progress: the next call goes there, all its operations too.
    const second = await pool.acquire(signal);
    void second.keepSessionAlive();
    void second.fetchWallets();
    await flush();
    const other = spawned.find((t) => t !== busyThread)!;
    expect(other.ops().map((m) => m.op)).toEqual(["keepSessionAlive", "fetchWallets"]);
    expect(busyThread.ops().map((m) => m.op)).toEqual(["checkSession"]);
    busyThread.send({ t: "ok", trips: [], id: busyThread.ops()[0]!.id, value: { active: true }, failure: { status: 500, code: undefined } });
    await expect(busy).resolves.toEqual({ active: true });
    // The instance's last failure travels with the answer, so lastFailure() stays synchronous.
    expect(first.lastFailure()).toEqual({ status: 500, code: undefined });
  });

  test("errors cross whole: a ConnectError keeps code and details, an SDK API error its status for para-errors.ts", async () => {
    const { pool, spawned } = poolOf(1);
    spawned[0]!.send({ t: "ready" });
    const para = await pool.acquire(signal);
    const signing = para.sign("w1", "aGk=");
    const checking = para.checkSession();
    await flush();
    const [signOp, checkOp] = spawned[0]!.ops();
    const refusal = withReason(Code.FailedPrecondition, "refused", "SIGNING_REFUSED", {});
    spawned[0]!.send({ t: "err", trips: [], id: signOp!.id, error: toWire(refusal), failure: undefined });
    const sdkError = Object.assign(new Error("Request failed"), { isParaApiError: true, status: 429, code: "ERR_BAD_REQUEST" });
    spawned[0]!.send({ t: "err", trips: [], id: checkOp!.id, error: toWire(sdkError), failure: { status: 429, code: undefined } });
    const signed = await signing.catch((e: unknown) => e);
    expect(signed).toBeInstanceOf(ConnectError);
    expect((signed as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
    const checked = await checking.catch((e: unknown) => e);
    expect(checked).toMatchObject({ message: "Request failed", isParaApiError: true, status: 429, code: "ERR_BAD_REQUEST" });
    expect(para.lastFailure()).toEqual({ status: 429, code: undefined });
  });

  test("a crashed thread fails only its own calls (UNAVAILABLE with RetryInfo); the other thread's calls go on", async () => {
    const { pool, spawned } = poolOf(2, { minBackoffMs: 60_000 });
    for (const t of spawned) t.send({ t: "ready" });
    const a = await pool.acquire(signal);
    const aCall = a.checkSession();
    await flush();
    const [threadA, threadB] = spawned[0]!.ops().length === 1 ? [spawned[0]!, spawned[1]!] : [spawned[1]!, spawned[0]!];
    const b = await pool.acquire(signal);
    const bCall = b.checkSession();
    await flush();
    expect(threadB.ops()).toHaveLength(1);
    threadA.crash();
    const failed = await aCall.catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConnectError);
    expect((failed as ConnectError).code).toBe(Code.Unavailable);
    expect((failed as ConnectError).findDetails(RetryInfoSchema)).toHaveLength(1);
    // Its instance is gone with it; the next operation fails the same way, without a message.
    await expect(a.keepSessionAlive()).rejects.toMatchObject({ code: Code.Unavailable });
    threadB.send({ t: "ok", trips: [], id: threadB.ops()[0]!.id, value: { active: false }, failure: undefined });
    await expect(bCall).resolves.toEqual({ active: false });
    // New calls go to the surviving thread.
    const c = await pool.acquire(signal);
    void c.issueJwt();
    await flush();
    expect(threadB.ops().at(-1)?.op).toBe("issueJwt");
    expect(pool.stats().threads).toMatchObject({ configured: 2, ready: 1, crashes: 1, replacements: 0 });
    expect(pool.isAvailable).toBe(true);
  });

  test("a crashed thread is replaced after a back-off that doubles while replacements keep crashing; counters are kept", async () => {
    vi.useFakeTimers();
    const availability: boolean[] = [];
    const { pool, spawned } = poolOf(1, { minBackoffMs: 100, maxBackoffMs: 1_000, onAvailability: (a) => availability.push(a) });
    spawned[0]!.send({ t: "ready" });
    spawned[0]!.send({
      t: "stats",
      stats: { pool: { handouts: 5, fromPool: 4, waiting: 3 }, worker: { convicted: 1, warmups: 1, refused: 0, startFailures: 0, quarantined: 1 } },
    });
    spawned[0]!.crash();
    expect(pool.isAvailable).toBe(false);
    vi.advanceTimersByTime(99);
    expect(spawned).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(spawned).toHaveLength(2);
    // The replacement dies before it is ready: the next one waits twice as long.
    spawned[1]!.crash();
    vi.advanceTimersByTime(199);
    expect(spawned).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(spawned).toHaveLength(3);
    spawned[2]!.send({ t: "ready" });
    expect(availability).toEqual([true, false, true]);
    const stats = pool.stats();
    expect(stats.threads).toMatchObject({ configured: 1, ready: 1, crashes: 2, replacements: 2 });
    // Monotonic counters survive the dead thread; gauges (waiting, held wallets) do not.
    expect(stats.pool).toEqual({ handouts: 5, fromPool: 4, waiting: 0 });
    expect(stats.worker).toMatchObject({ convicted: 1, warmups: 1, quarantined: 0 });
  });

  test("the signal of a signing job reaches its thread as an abort; stop() stops and terminates every thread", async () => {
    const { pool, spawned } = poolOf(1, { stopTimeoutMs: 50 });
    spawned[0]!.send({ t: "ready" });
    const para = await pool.acquire(signal);
    const controller = new AbortController();
    const { threadedSigning } = await import("../../src/para/threads/remote-para-instance.js");
    const signing = threadedSigning.run(() => para.sign("w1", "aGk="), "user:w1", controller.signal);
    await flush();
    const op = spawned[0]!.ops()[0]!;
    expect(op).toMatchObject({ op: "sign", signer: "user:w1", args: ["w1", "aGk="] });
    controller.abort();
    expect(spawned[0]!.received.at(-1)).toEqual({ t: "abort", id: op.id });
    const stopping = pool.stop();
    expect(spawned[0]!.received.at(-1)).toEqual({ t: "stop" });
    spawned[0]!.send({ t: "stopped" });
    await stopping;
    expect(spawned[0]!.terminated).toBe(true);
    await expect(signing).rejects.toMatchObject({ code: Code.Unavailable });
  });

  test("a released instance is forgotten by its thread at once (once), not when the main side's proxy is collected", async () => {
    const { pool, spawned } = poolOf(1);
    spawned[0]!.send({ t: "ready" });
    const instance = await pool.acquire(signal);
    const acquired = spawned[0]!.received.findIndex((m) => m.t === "acquire");
    pool.release(instance);
    pool.release(instance);
    const releases = spawned[0]!.received.filter((m) => m.t === "release");
    expect(releases).toEqual([{ t: "release", instance: acquired + 1 }]);
  });

  test("a call that comes while the threads start waits for one (a fresh process); it gives up with its signal", async () => {
    const { pool, spawned } = poolOf(1);
    let got = false;
    const early = pool.acquire(signal).then((instance) => {
      got = true;
      return instance;
    });
    const abort = new AbortController();
    const impatient = pool.acquire(abort.signal);
    await flush();
    expect(got).toBe(false);
    abort.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    await expect(impatient).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    spawned[0]!.send({ t: "ready" });
    await expect(early).resolves.toBeDefined();
    expect(spawned[0]!.received.filter((m) => m.t === "acquire")).toHaveLength(1);
  });

  test("with every thread dead (waiting for its replacement), a call fails at once, UNAVAILABLE", async () => {
    const { pool, spawned } = poolOf(1, { minBackoffMs: 60_000 });
    spawned[0]!.send({ t: "ready" });
    await pool.ready();
    spawned[0]!.crash();
    await expect(pool.acquire(signal)).rejects.toMatchObject({ code: Code.Unavailable });
    await pool.stop();
  });

  test("round trips come with their request's answer and are recorded in its trace context, before the answer is used", async () => {
    // A context manager, so `context.with` carries the call's context (the service's OTel SDK registers one).
    context.setGlobalContextManager(new SynchronousContextManager());
    const seen: Array<{ endpoint: string; call: unknown; endedAt: number | undefined }> = [];
    const key = createContextKey("call");
    const { pool, spawned } = poolOf(1, {
      onRoundTrip: (trip) => seen.push({ endpoint: trip.endpoint, call: context.active().getValue(key), endedAt: trip.endedAt }),
    });
    spawned[0]!.send({ t: "ready" });
    const instance = await pool.acquire(signal);
    const checked = context.with(ROOT_CONTEXT.setValue(key, "call-1"), () => instance.checkSession());
    await flush();
    const op = spawned[0]!.ops()[0]!;
    spawned[0]!.send({
      t: "ok",
      id: op.id,
      value: { active: true },
      failure: undefined,
      trips: [{ endpoint: "touch", status: 200, durationMs: 20, endedAt: 1_000 }],
    });
    expect(seen).toEqual([{ endpoint: "touch", call: "call-1", endedAt: 1_000 }]);
    await checked;
    // Background constructions' round trips come loose, a few at a time, and belong to no call.
    spawned[0]!.send({ t: "trips", trips: [{ ctx: undefined, trip: { endpoint: "touch", status: 200, durationMs: 5 } }] });
    expect(seen[1]).toEqual({ endpoint: "touch", call: undefined, endedAt: undefined });
  });
});
