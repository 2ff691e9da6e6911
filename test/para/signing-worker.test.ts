import { EventEmitter } from "node:events";
import type { Worker } from "node:worker_threads";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { SigningQuarantine } from "../../src/para/signing-quarantine.js";
import { SigningWorkerSupervisor } from "../../src/para/signing-worker.js";

/** Unit level: a fake worker and fake jobs; a "crash" is the SDK's error text for a dead worker. */

function fakeWorker(): Worker {
  const w = new EventEmitter() as unknown as Worker & { terminate(): Promise<number> };
  w.terminate = async () => 0;
  return w;
}
const crash = () => new Error("worker error with workId x and opts {}: boom");
const reason = (e: unknown) => ConnectError.from(e).findDetails(ErrorInfoSchema)[0]?.reason;

describe("SigningWorkerSupervisor", () => {
  test("a job that crashes the worker alone is refused (SIGNING_REFUSED) and its signer held; others succeed", async () => {
    const sup = new SigningWorkerSupervisor(async () => fakeWorker(), { quarantineMs: 60_000 });
    const bad = SigningQuarantine.keyOf("mallory", "w1");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Every job in flight when the culprit runs dies with it, as the SDK's shared worker does.
    let culpritRunning = false;
    const innocent = (n: number) => async () => {
      await gate;
      if (culpritRunning) throw crash();
      return n;
    };
    const culprit = async () => {
      culpritRunning = true;
      await Promise.resolve();
      culpritRunning = false;
      throw crash();
    };
    const jobs = [sup.run(innocent(1), SigningQuarantine.keyOf("a", "w")), sup.run(culprit, bad), sup.run(innocent(2), SigningQuarantine.keyOf("b", "w"))];
    release();
    const [a, m, b] = await Promise.allSettled(jobs);
    expect(a).toEqual({ status: "fulfilled", value: 1 });
    expect(b).toEqual({ status: "fulfilled", value: 2 });
    expect(m?.status).toBe("rejected");
    expect(ConnectError.from((m as PromiseRejectedResult).reason).code).toBe(Code.FailedPrecondition);
    expect(reason((m as PromiseRejectedResult).reason)).toBe("SIGNING_REFUSED");
    // Held: refused at once, the job never runs.
    let ran = false;
    await expect(sup.run(async () => (ran = true), bad)).rejects.toSatisfy((e) => reason(e) === "SIGNING_REFUSED");
    expect(ran).toBe(false);
    expect(sup.stats()).toMatchObject({ convicted: 1, quarantined: 1 });
  });

  test("different signers failing alone in a row with nothing succeeding: an outage, nobody is held", async () => {
    const sup = new SigningWorkerSupervisor(async () => fakeWorker(), { quarantineMs: 60_000 });
    const failing = async () => {
      throw crash();
    };
    const results = await Promise.allSettled(["a", "b", "c", "d"].map((u) => sup.run(failing, SigningQuarantine.keyOf(u, "w"))));
    const reasons = results.map((r) => reason((r as PromiseRejectedResult).reason));
    // The first convictions are taken at their word; from the third in a row, it is Para's failure.
    expect(reasons.filter((r) => r === "SIGNING_REFUSED").length).toBeLessThanOrEqual(2);
    expect(sup.stats().quarantined).toBeLessThanOrEqual(2);
  });

  test("a worker that cannot start is retried after a back-off, not on every call", async () => {
    let starts = 0;
    const sup = new SigningWorkerSupervisor(
      async () => {
        starts++;
        throw new Error("bundle download failed");
      },
      { quarantineMs: 0, minBackoffMs: 60_000 },
    );
    await expect(sup.ready()).rejects.toBeInstanceOf(ConnectError);
    for (let i = 0; i < 20; i++) await expect(sup.ready()).rejects.toSatisfy((e) => ConnectError.from(e).code === Code.Unavailable);
    expect(starts).toBe(1);
    expect(sup.stats().startFailures).toBe(1);
  });

  test("a job parked behind probation is let go when its caller gives up, and a given-up job never reaches the worker", async () => {
    const sup = new SigningWorkerSupervisor(async () => fakeWorker(), { quarantineMs: 60_000 });
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    // One crash puts a job on probation; while it runs alone (slowly), the gate is closed.
    let first = true;
    const crashingOnce = async () => {
      if (first) {
        first = false;
        throw crash();
      }
      await slow;
      return "done";
    };
    const onProbation = sup.run(crashingOnce, SigningQuarantine.keyOf("a", "w"));
    await new Promise((r) => setTimeout(r, 10));
    const caller = new AbortController();
    let ran = false;
    const parked = sup.run(async () => (ran = true), SigningQuarantine.keyOf("b", "w"), caller.signal);
    caller.abort(new ConnectError("deadline", Code.DeadlineExceeded));
    await expect(parked).rejects.toSatisfy((e) => ConnectError.from(e).code === Code.DeadlineExceeded);
    release();
    await expect(onProbation).resolves.toBe("done");
    expect(ran).toBe(false);
  });
});
