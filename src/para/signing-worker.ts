import type { Worker } from "node:worker_threads";
import { policyDenied, signingRefused, signingWorkerStopped, signingWorkerUnavailable } from "../errors/error-model.js";
import { isWorkerCrash, policyDenialOf } from "./para-errors.js";
import { abortError, untilAborted } from "./bounded.js";
import { SigningQuarantine } from "./signing-quarantine.js";

export interface SupervisorOptions {
  /** How long a signer whose job crashed the worker while running alone is refused; 0 disables the hold. */
  quarantineMs: number;
  /** After a failed start (e.g. the bundle download), the next attempt waits this long, doubling to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Convictions in a row, of different signers, with no job succeeding in between: then the worker fails for
 * everyone (Para's signing side is down), and nobody is to blame.
 */
const OUTAGE_CONVICTIONS = 3;

/** Crashes a job must cause while running alone before it is blamed for them. */
const CRASHES_TO_CONVICT = 2;

/**
 * Supervises the SDK's one process-wide signing worker (docs/para-sdk.md §12, §14):
 *
 * - Warm: a worker exists and answered INIT before calls use it, and again
 *   right after it dies, so a burst never spawns one worker per request.
 * - Probation: when the worker crashes, the SDK rejects every pending job of
 *   every user. A job that saw a crash is not failed outright: it is retried
 *   alone, once the jobs in flight have settled, while new jobs wait. A job
 *   that crashes the worker while running alone is the culprit and fails; the
 *   innocent ones succeed on their retry. A job is blamed only when it crashes
 *   the worker twice running alone (once may be Para's passing failure).
 *   Retries are bounded: at most two alone per job.
 * - Quarantine: the culprit's signer (a Para-confirmed user's wallet) is
 *   refused for a while (FAILED_PRECONDITION, SIGNING_REFUSED) without a job,
 *   so a session Para refuses cannot crash the worker under everyone on every
 *   call. When several different signers are convicted in a row with no
 *   success in between, the failure is Para's, not theirs: UNAVAILABLE, and
 *   nobody is held.
 * - Back-off: a worker that cannot start (bundle download failing) is retried
 *   at most once per back-off period, not once per call.
 */
export class SigningWorkerSupervisor {
  private warming: Promise<void> | undefined;
  private active = 0;
  private readonly probation: Array<{
    job: () => Promise<unknown>;
    key: string | undefined;
    settle: (outcome: Promise<unknown>) => void;
    /** Crashes seen while running alone. */
    aloneCrashes: number;
    /** The caller's signal: a job whose caller gave up is not run again. */
    signal: AbortSignal | undefined;
  }> = [];
  private probationRunning = false;
  private gateWaiters: Array<() => void> = [];
  private stopped = false;
  private worker: Worker | undefined;
  private readonly quarantine: SigningQuarantine;
  private convictionsInARow = 0;
  private backoffMs = 0;
  private retryAt = 0;
  private counts = { convicted: 0, warmups: 0, refused: 0, startFailures: 0 };

  constructor(
    private readonly startWorker: () => Promise<Worker>,
    private readonly options: SupervisorOptions = { quarantineMs: 60_000 },
  ) {
    this.quarantine = new SigningQuarantine(options.quarantineMs);
  }

  /** Read-only counters, for metrics and tests. */
  stats(): { convicted: number; warmups: number; refused: number; startFailures: number; quarantined: number } {
    return { ...this.counts, quarantined: this.quarantine.size };
  }

  /** Resolves once a warm worker exists (starting one if needed). */
  ready(): Promise<void> {
    if (this.stopped) return Promise.reject(signingWorkerStopped());
    if (!this.warming && Date.now() < this.retryAt) {
      return Promise.reject(signingWorkerUnavailable(this.retryAt - Date.now()));
    }
    this.warming ??= this.track(this.warm());
    // A worker that cannot start (Para's portal unreachable, or a crash mid-restart) is a retryable outage for
    // the caller, never an unexplained INTERNAL.
    return this.warming.catch((error: unknown) => {
      throw signingWorkerUnavailable(2_000, error);
    });
  }

  /** Forgets a failed warm-up so the next caller tries again. */
  private track(warming: Promise<void>): Promise<void> {
    const tracked: Promise<void> = warming.then(
      () => {
        this.backoffMs = 0;
      },
      (error: unknown) => {
        if (this.warming === tracked) this.warming = undefined;
        this.counts.startFailures++;
        const { minBackoffMs = 500, maxBackoffMs = 30_000 } = this.options;
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, minBackoffMs), maxBackoffMs);
        this.retryAt = Date.now() + this.backoffMs;
        throw error;
      },
    );
    return tracked;
  }

  private async warm(): Promise<void> {
    const worker = await this.startWorker();
    this.worker = worker;
    this.counts.warmups++;
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

  /**
   * Runs one signing job under the supervision described above. `signer` names whose job it is (see
   * SigningQuarantine.keyOf); without it the job can be convicted but nobody is held.
   */
  async run<T>(job: () => Promise<T>, signer?: string, signal?: AbortSignal): Promise<T> {
    this.refuseIfHeld(signer);
    // Waits end when the caller gives up, so a parked job (its SDK instance and session) is let go with its call.
    await this.gateOpen(signal);
    this.refuseIfHeld(signer);
    await untilAborted(this.ready(), signal);
    // A job whose caller has given up never reaches the worker.
    if (signal?.aborted) throw abortError(signal);
    // `job` is the SDK's own promise, unbounded here: the job counts as running until the worker is done with it
    // (the caller's wait is bounded outside), so "running alone" in probation really is alone.
    this.active++;
    try {
      const result = await job();
      this.convictionsInARow = 0;
      return result;
    } catch (error) {
      if (!isWorkerCrash(error)) throw error;
    } finally {
      this.active--;
      this.kick();
    }
    return new Promise<T>((resolve, reject) => {
      this.probation.push({ job, key: signer, aloneCrashes: 0, signal, settle: (outcome) => (outcome as Promise<T>).then(resolve, reject) });
      this.kick();
    });
  }

  private refuseIfHeld(signer: string | undefined): void {
    const left = signer ? this.quarantine.remainingMs(signer) : 0;
    if (left <= 0) return;
    this.counts.refused++;
    throw signingRefused(left);
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

  private gateOpen(signal?: AbortSignal): Promise<void> {
    if (!this.probationRunning && this.probation.length === 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.gateWaiters = this.gateWaiters.filter((w) => w !== wake);
        reject(abortError(signal!));
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.gateWaiters.push(wake);
    });
  }

  private kick(): void {
    if (this.probationRunning || this.probation.length === 0 || this.active > 0) return;
    this.probationRunning = true;
    void this.drainProbation();
  }

  private async drainProbation(): Promise<void> {
    for (let item = this.probation.shift(); item; item = this.probation.shift()) {
      // A job whose caller has given up is not run again (it would only burn the worker, and could be blamed).
      if (item.signal?.aborted) {
        item.settle(Promise.reject(abortError(item.signal)));
        continue;
      }
      // A signer convicted earlier in this round is not run again: its retry would crash the worker again.
      const left = item.key ? this.quarantine.remainingMs(item.key) : 0;
      if (left > 0) {
        this.counts.refused++;
        item.settle(Promise.reject(signingRefused(left)));
        continue;
      }
      const outcome = this.ready().then(item.job);
      await outcome.then(
        () => {
          this.convictionsInARow = 0;
          item.settle(outcome);
        },
        (error: unknown) => {
          if (!isWorkerCrash(error)) return item.settle(outcome);
          // A policy denial read from the crash (alone, so it is this job's): Para's deliberate answer, no sign of
          // an outage. The signer is still held: every denied job crashes the worker under everyone.
          const denial = policyDenialOf(error);
          if (denial) {
            this.counts.convicted++;
            if (item.key) this.quarantine.hold(item.key);
            return item.settle(Promise.reject(policyDenied(denial.deniedBy, error)));
          }
          // One crash while alone may be a passing failure of Para's signing side: run it alone once more before
          // blaming it (a job Para refuses fails again, and its signer is then held).
          if (++item.aloneCrashes < CRASHES_TO_CONVICT) {
            this.probation.unshift(item);
            return;
          }
          this.counts.convicted++;
          this.convictionsInARow++;
          // Several different signers failing alone in a row: Para's signing is down, not their sessions.
          if (this.convictionsInARow >= OUTAGE_CONVICTIONS || !item.key) return item.settle(Promise.reject(error));
          this.quarantine.hold(item.key);
          return item.settle(Promise.reject(signingRefused(this.options.quarantineMs, error)));
        },
      );
    }
    this.probationRunning = false;
    const waiters = this.gateWaiters;
    this.gateWaiters = [];
    for (const wake of waiters) wake();
  }
}
