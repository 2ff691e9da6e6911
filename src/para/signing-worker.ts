import type { Worker } from "node:worker_threads";
import { Code, ConnectError } from "@connectrpc/connect";
import { retryable } from "../errors.js";
import { isWorkerCrash } from "./para-errors.js";

/**
 * Supervises the SDK's one process-wide signing worker (PARA_SDK.md §12, §14):
 *
 * - Warm: a worker exists and answered INIT before calls use it, and again
 *   right after it dies, so a burst never spawns one worker per request.
 * - Probation: when the worker crashes, the SDK rejects every pending job of
 *   every user. A job that saw a crash is not failed outright: it is retried
 *   alone, once the jobs in flight have settled, while new jobs wait. A job
 *   that crashes the worker while running alone is the culprit and fails; the
 *   innocent ones succeed on their retry. Retries are bounded: one per crash
 *   seen while alone.
 */
export class SigningWorkerSupervisor {
  private warming: Promise<void> | undefined;
  private active = 0;
  private readonly probation: Array<{ job: () => Promise<unknown>; settle: (outcome: Promise<unknown>) => void }> = [];
  private probationRunning = false;
  private gateWaiters: Array<() => void> = [];
  private stopped = false;
  private worker: Worker | undefined;
  /** How many jobs were failed as the cause of a crash; for metrics and tests. */
  convicted = 0;
  /** How many times a worker was started; for metrics and tests. */
  warmups = 0;

  constructor(private readonly startWorker: () => Promise<Worker>) {}

  /** Resolves once a warm worker exists (starting one if needed). */
  ready(): Promise<void> {
    if (this.stopped) return Promise.reject(new ConnectError("signing worker stopped", Code.Unavailable));
    this.warming ??= this.track(this.warm());
    // A worker that cannot start (Para's portal unreachable, or a crash mid-restart) is a retryable outage for
    // the caller, never an unexplained INTERNAL.
    return this.warming.catch((error: unknown) => {
      throw retryable(Code.Unavailable, "signing worker unavailable", "PARA_UNAVAILABLE", 2_000, error);
    });
  }

  /** Forgets a failed warm-up so the next caller tries again. */
  private track(warming: Promise<void>): Promise<void> {
    const tracked: Promise<void> = warming.catch((error: unknown) => {
      if (this.warming === tracked) this.warming = undefined;
      throw error;
    });
    return tracked;
  }

  private async warm(): Promise<void> {
    const worker = await this.startWorker();
    this.worker = worker;
    this.warmups++;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    let replaced = false;
    const replace = () => {
      if (replaced || this.stopped) return;
      replaced = true;
      // The SDK forgets a dead worker only on "exit", a tick after "error":
      // a job posted in between is lost. Wait for the exit, then start the
      // next worker at once, since an instance constructed while none exists
      // would download and start its own.
      const next = this.track(
        exited.then(() => {
          this.worker = undefined;
          return this.warm();
        }),
      );
      next.catch(() => undefined);
      this.warming = next;
    };
    worker.once("error", replace);
    worker.once("exit", replace);
  }

  /** Runs one signing job under the supervision described above. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.gateOpen();
    await this.ready();
    this.active++;
    try {
      return await job();
    } catch (error) {
      if (!isWorkerCrash(error)) throw error;
    } finally {
      this.active--;
      this.kick();
    }
    return new Promise<T>((resolve, reject) => {
      this.probation.push({ job, settle: (outcome) => (outcome as Promise<T>).then(resolve, reject) });
      this.kick();
    });
  }

  /**
   * Stops supervising and terminates the worker through `terminate` (the
   * SDK's reset), resolving once it has exited: the SDK never lets it go, and
   * it would keep the process alive.
   */
  async stop(terminate: () => void): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    const exited = worker ? new Promise<void>((resolve) => worker.once("exit", () => resolve())) : undefined;
    terminate();
    // Ours too, should it no longer be the one the SDK holds.
    await worker?.terminate();
    await exited;
  }

  private gateOpen(): Promise<void> {
    if (!this.probationRunning && this.probation.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.gateWaiters.push(resolve));
  }

  private kick(): void {
    if (this.probationRunning || this.probation.length === 0 || this.active > 0) return;
    this.probationRunning = true;
    void this.drainProbation();
  }

  private async drainProbation(): Promise<void> {
    for (let item = this.probation.shift(); item; item = this.probation.shift()) {
      const outcome = this.ready().then(item.job);
      await outcome.then(
        () => item.settle(outcome),
        (error: unknown) => {
          if (!isWorkerCrash(error)) return item.settle(outcome);
          this.convicted++;
          return item.settle(Promise.reject(error));
        },
      );
    }
    this.probationRunning = false;
    const waiters = this.gateWaiters;
    this.gateWaiters = [];
    for (const wake of waiters) wake();
  }
}
