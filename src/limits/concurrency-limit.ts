import { Code, type Interceptor } from "@connectrpc/connect";
import { retryable } from "../errors/error-model.js";

/**
 * Bounds the calls in progress: one over the limit is refused at once with
 * RESOURCE_EXHAUSTED and a RetryInfo hint, instead of queueing without bound
 * (every call holds an SDK instance and Para connections). Health checks are
 * never refused, so probes see the truth under load.
 */
export function createConcurrencyLimitInterceptor(maxConcurrentCalls: number, exempt: readonly string[]): Interceptor {
  let inFlight = 0;
  return (next) => async (req) => {
    if (exempt.includes(req.service.typeName)) return next(req);
    if (inFlight >= maxConcurrentCalls) {
      throw retryable(Code.ResourceExhausted, "server is at its concurrency limit", "CONCURRENCY_LIMIT", 100);
    }
    inFlight++;
    try {
      return await next(req);
    } finally {
      inFlight--;
    }
  };
}
