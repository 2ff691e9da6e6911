import type { Interceptor } from "@connectrpc/connect";
import { serverAtConcurrencyLimit } from "../errors/error-model.js";
import { InFlightTracker } from "../transport/in-flight.js";

/**
 * Bounds the calls in progress: one over the limit is refused at once with
 * RESOURCE_EXHAUSTED and a RetryInfo hint, instead of queueing without bound
 * (every call holds an SDK instance and Para connections). Health checks are
 * never refused, so probes see the truth under load.
 */
export function createConcurrencyLimitInterceptor(maxConcurrentCalls: number, exempt: readonly string[]): Interceptor {
  // Its own count, not the drain's (transport/drain.ts): exempt calls (health checks) are left out, refused calls
  // never enter, and a call counts until its handler returns, not until a response stream ends, so a long-lived
  // stream (a reflection session) holds no slot meant for SDK work.
  const calls = new InFlightTracker();
  return (next) => async (req) => {
    if (exempt.includes(req.service.typeName)) return next(req);
    if (calls.count >= maxConcurrentCalls) {
      throw serverAtConcurrencyLimit(100);
    }
    const leave = calls.enter();
    try {
      return await next(req);
    } finally {
      leave();
    }
  };
}
