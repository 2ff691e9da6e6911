import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { type Health, type HealthCheckRequest, type HealthCheckResponse, HealthCheckResponseSchema } from "../../gen/grpc/health/v1/health_pb.js";
import { type HealthRegistry, ServingStatus } from "./health-registry.js";

/**
 * grpc.health.v1.Health on the same port as the service, per
 * grpc/grpc doc/health-checking.md: Check fails NOT_FOUND for an unknown
 * service; Watch streams the current status, then every change, and reports
 * SERVICE_UNKNOWN (without ending) for an unknown one. Watch streams are
 * capped per process (the registry's `reserveWatcher`): over the cap,
 * RESOURCE_EXHAUSTED.
 */
export function createHealthService(registry: HealthRegistry): ServiceImpl<typeof Health> {
  return {
    check(req: HealthCheckRequest): HealthCheckResponse {
      const status = registry.get(req.service);
      if (status === undefined) throw new ConnectError("unknown service", Code.NotFound);
      return create(HealthCheckResponseSchema, { status });
    },

    async *watch(req: HealthCheckRequest, ctx: HandlerContext): AsyncIterable<HealthCheckResponse> {
      const release = registry.reserveWatcher();
      // Refused before anything is held: no listener, no queue.
      if (!release) throw new ConnectError("too many health watchers", Code.ResourceExhausted);
      try {
        yield* watchStatus(registry, req.service, ctx.signal);
      } finally {
        release();
      }
    },
  };
}

/** The current status of `service`, then every change, until `signal` aborts. */
async function* watchStatus(registry: HealthRegistry, service: string, signal: AbortSignal): AsyncIterable<HealthCheckResponse> {
  const queue: ServingStatus[] = [registry.get(service) ?? ServingStatus.SERVICE_UNKNOWN];
  let wake: (() => void) | undefined;
  const unsubscribe = registry.subscribe(service, (status) => {
    queue.push(status);
    wake?.();
  });
  const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  try {
    while (!signal.aborted) {
      const status = queue.shift();
      if (status !== undefined) {
        yield create(HealthCheckResponseSchema, { status });
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
