import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { file_google_rpc_status } from "../../gen/google/rpc/status_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { HealthRegistry } from "../health/health-registry.js";
import { createHealthService } from "../health/health-service.js";
import { createReflectionServices } from "../reflection/reflection-service.js";

export interface RouteDeps {
  signer: Partial<ServiceImpl<typeof SignerService>>;
  health: HealthRegistry;
}

/** The services this server exposes; one function feeds both the HTTP/2 adapter and in-memory tests. */
export function createRoutes(deps: RouteDeps): (router: ConnectRouter) => void {
  // Server reflection describes the services registered here (and itself);
  // google.rpc error details and Status (the trailer's envelope) ride along so clients can decode error details.
  const reflection = createReflectionServices([SignerService.file, Health.file, file_google_rpc_error_details, file_google_rpc_status]);
  return (router) => {
    router.service(SignerService, deps.signer);
    router.service(Health, createHealthService(deps.health));
    reflection(router);
  };
}

/**
 * The name a liveness probe asks for: SERVING from listening until the
 * process exits, unlike "" and the signer (readiness), which turn NOT_SERVING
 * while the SDK worker is cold and during a drain. A drain must not look like
 * a dead process.
 */
export const LIVENESS = "liveness";

/** Names the health service reports, besides the whole server (""). */
export const HEALTH_SERVICES = [SignerService.typeName, LIVENESS] as const;
