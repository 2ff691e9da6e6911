import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../gen/para/signer/v1/signer_service_pb.js";
import { type HealthRegistry } from "./health/health-registry.js";
import { createHealthService } from "./health/health-service.js";

export interface RouteDeps {
  signer: Partial<ServiceImpl<typeof SignerService>>;
  health: HealthRegistry;
}

/** The services this server exposes; one function feeds both the HTTP/2 adapter and in-memory tests. */
export function createRoutes(deps: RouteDeps): (router: ConnectRouter) => void {
  return (router) => {
    router.service(SignerService, deps.signer);
    router.service(Health, createHealthService(deps.health));
  };
}

/** Names the health service reports, besides the whole server (""). */
export const HEALTH_SERVICES = [SignerService.typeName] as const;
