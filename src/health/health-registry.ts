import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

export { ServingStatus };

type Listener = (status: ServingStatus) => void;

export interface HealthRegistryOptions {
  /** Every service's status until set. */
  initial?: ServingStatus;
  /** Watch streams open at once (SIGNER_MAX_HEALTH_WATCHERS); see `reserveWatcher`. */
  maxWatchers?: number;
}

/** The default of SIGNER_MAX_HEALTH_WATCHERS (config.ts). */
export const DEFAULT_MAX_HEALTH_WATCHERS = 256;

/**
 * HealthRegistry holds the serving status of the whole server ("") and of
 * each service, and tells watchers when one changes.
 */
export class HealthRegistry {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly maxWatchers: number;
  private watchers = 0;

  constructor(services: readonly string[], options: HealthRegistryOptions = {}) {
    for (const name of ["", ...services]) this.statuses.set(name, options.initial ?? ServingStatus.NOT_SERVING);
    this.maxWatchers = options.maxWatchers ?? DEFAULT_MAX_HEALTH_WATCHERS;
  }

  /**
   * Takes one of the process's Watch slots; undefined when all are taken. A
   * Watch stream lives as long as its caller likes, and HTTP/2's stream cap
   * is per connection, so only a count across connections bounds them. Call
   * the returned function exactly once when the stream ends.
   */
  reserveWatcher(): (() => void) | undefined {
    if (this.watchers >= this.maxWatchers) return undefined;
    this.watchers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.watchers--;
    };
  }

  /** Watch streams open now. */
  get watcherCount(): number {
    return this.watchers;
  }

  /** The status of `service`, or undefined when it is not a known service. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Sets every known service (and the server) to `status`, except the names in `except`. */
  setAll(status: ServingStatus, except: readonly string[] = []): void {
    for (const name of this.statuses.keys()) if (!except.includes(name)) this.set(name, status);
  }

  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of this.listeners.get(service) ?? []) listener(status);
  }

  /** Calls `listener` on each change of `service`; returns the unsubscribe function. */
  subscribe(service: string, listener: Listener): () => void {
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(service);
    };
  }
}
