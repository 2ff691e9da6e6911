import type { Interceptor } from "@connectrpc/connect";
import { serverShuttingDown } from "../errors/error-model.js";
import { InFlightTracker, type Leave } from "./in-flight.js";

/**
 * The server's drain gate, the outermost interceptor: once closed it refuses the calls that still arrive (on
 * connections opened before the drain, which GOAWAY does not stop at once) with UNAVAILABLE, so clients retry
 * elsewhere; and it counts the calls in flight, a streaming response until its stream ends, so the drain waits for
 * calls rather than for connections a client keeps open.
 */
export class DrainGate {
  private closed = false;

  constructor(private readonly calls: InFlightTracker = new InFlightTracker()) {}

  readonly interceptor: Interceptor = (next) => async (req) => {
    if (this.closed) throw serverShuttingDown();
    const leave = this.calls.enter();
    try {
      const res = await next(req);
      if (!res.stream) {
        leave();
        return res;
      }
      return { ...res, message: leaveWhenDone(res.message, leave) };
    } catch (error) {
      leave();
      throw error;
    }
  };

  /** From now on every new call is refused; calls already in flight go on. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once no call is in flight. */
  whenIdle(): Promise<void> {
    return this.calls.whenIdle();
  }
}

/** Counts a streaming response out when its stream ends, however it ends (done, failed, or abandoned by the caller). */
async function* leaveWhenDone<T>(stream: AsyncIterable<T>, leave: Leave): AsyncIterable<T> {
  try {
    yield* stream;
  } finally {
    leave();
  }
}
