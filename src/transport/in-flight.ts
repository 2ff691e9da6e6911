/** Counts one call out; calling it again does nothing, so every exit path of a call may call it. */
export type Leave = () => void;

/**
 * Counts calls in progress, and tells whoever waits when none is left. The drain interceptor uses one for every
 * call the server accepted (transport/drain.ts); the concurrency limit and the in-flight gauge keep their own,
 * because they count other sets of calls (see their comments).
 */
export class InFlightTracker {
  private calls = 0;
  private idleWaiters: Array<() => void> = [];

  /** Calls in progress now. */
  get count(): number {
    return this.calls;
  }

  /** Counts one call in; the returned function counts it out. */
  enter(): Leave {
    this.calls++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.calls === 0) this.wakeIdleWaiters();
    };
  }

  /** Resolves as soon as no call is in progress (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.calls === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
