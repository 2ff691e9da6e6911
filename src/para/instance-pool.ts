import type { ParaInstanceSource } from "./para-gateway.js";
import type { ParaInstance } from "./para-sdk.js";

export interface PoolOptions {
  /** Builds one brand-new SDK instance (it starts its construction round trips at once). */
  create: () => Promise<ParaInstance>;
  /** Instances kept constructed and waiting; 0 disables the pool. */
  size: number;
  /** Constructions run in the background at once, at most. */
  refillConcurrency: number;
  /** A waiting instance older than this is discarded rather than handed out. */
  maxIdleMs: number;
  /** An instance whose construction has not settled by then counts as failed (the SDK has no timeouts). */
  settleTimeoutMs?: number;
  /** Runs background construction outside any caller's trace. */
  runDetached?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Waits until a background construction may spend its round trips (Para rate limit). */
  beforeConstruct?: () => Promise<void>;
}

/** While Para fails, a construction is retried at most this often; it doubles as the probe that notices recovery. */
const MAX_BACKOFF_MS = 2_000;

interface Entry {
  instance: ParaInstance;
  createdAt: number;
  state: "settling" | "ready" | "failed";
}

/**
 * Takes SDK construction (about 1.5 ms of CPU, and five requests to Para
 * unless kept answers cover them: sdk/anonymous-answers.ts) off the critical
 * path without ever sharing an instance: instances are
 * constructed ahead of demand, each is handed to exactly one call and then
 * forgotten (it is never returned to the pool), and the pool refills in the
 * background. A settled instance is preferred; one still settling is better
 * than none. When constructions fail (Para unreachable) the pool drains and
 * backs off, and calls construct their own, so they report Para's state.
 */
export class PristineInstancePool implements ParaInstanceSource {
  private readonly waiting: Entry[] = [];
  private constructing = 0;
  private backoffUntil = 0;
  private backoffMs = 0;
  private stopped = false;
  private readonly handedOut = new WeakSet<ParaInstance>();
  private handouts = 0;
  private handedOutFromPool = 0;

  constructor(private readonly options: PoolOptions) {}

  /** Starts filling the pool. */
  start(): void {
    this.refill();
  }

  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
  }

  /** Read-only counters (metrics read them): calls served, how many got a pre-constructed instance, and waiting ones. */
  stats(): { handouts: number; fromPool: number; waiting: number } {
    return { handouts: this.handouts, fromPool: this.handedOutFromPool, waiting: this.waiting.length };
  }

  /** Waiting instances (admission counts a construction when none waits). */
  get size(): number {
    return this.waiting.length;
  }

  async acquire(_signal: AbortSignal): Promise<ParaInstance> {
    const entry = this.take();
    this.refill();
    const instance = entry ? entry.instance : await this.options.create();
    // The invariant the whole design rests on, checked rather than assumed.
    if (this.handedOut.has(instance)) throw new Error("para instance handed out twice");
    this.handedOut.add(instance);
    this.handouts++;
    if (entry) this.handedOutFromPool++;
    return instance;
  }

  private take(): Entry | undefined {
    const now = Date.now();
    // Drop what is stale or broken; those are never handed out.
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const e = this.waiting[i]!;
      if (e.state === "failed" || now - e.createdAt > this.options.maxIdleMs) this.waiting.splice(i, 1);
    }
    const ready = this.waiting.findIndex((e) => e.state === "ready");
    const index = ready >= 0 ? ready : this.waiting.length > 0 ? 0 : -1;
    return index >= 0 ? this.waiting.splice(index, 1)[0] : undefined;
  }

  private refill(): void {
    const { size, refillConcurrency } = this.options;
    while (!this.stopped && Date.now() >= this.backoffUntil && this.waiting.length + this.constructing < size && this.constructing < refillConcurrency) {
      this.constructing++;
      void this.constructOne().finally(() => {
        this.constructing--;
        this.refill();
      });
    }
  }

  private async constructOne(): Promise<void> {
    const run = this.options.runDetached ?? ((fn) => fn());
    try {
      await this.options.beforeConstruct?.();
      const instance = await run(() => this.options.create());
      const entry: Entry = { instance, createdAt: Date.now(), state: "settling" };
      this.waiting.push(entry);
      entry.state = await settledWithin(instance, this.options.settleTimeoutMs ?? 20_000);
      if (entry.state === "ready") {
        this.backoffMs = 0;
        return;
      }
    } catch {
      // Counted as a failed construction below.
    }
    // Para refused or is unreachable: drain and back off before trying again
    // (once per burst of failures, not once per failed construction).
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((e) => e.state === "ready"));
    if (Date.now() < this.backoffUntil) return;
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 250), MAX_BACKOFF_MS);
    this.backoffUntil = Date.now() + this.backoffMs;
    // The timer ends the back-off itself: timers may fire a little before Date.now() reaches backoffUntil, and a
    // refill refused by that comparison would leave the pool idle until the next call.
    if (!this.stopped)
      setTimeout(() => {
        this.backoffUntil = 0;
        this.refill();
      }, this.backoffMs).unref();
  }
}

function settledWithin(instance: ParaInstance, timeoutMs: number): Promise<"ready" | "failed"> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"failed">((resolve) => (timer = setTimeout(() => resolve("failed"), timeoutMs).unref()));
  return Promise.race([instance.settled(), timedOut]).finally(() => clearTimeout(timer));
}
