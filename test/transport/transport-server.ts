// A real server (createServer, port 0) with tiny routes: health, and a CheckSession that answers at once, so the
// transport's bounds are tested with no Para backend involved.
import { create } from "@bufbuild/protobuf";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { createGrpcTransport, createConnectTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponseSchema, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { CheckSessionResponseSchema, SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { envToConfig } from "../../src/config/config.js";
import { createServer, type Server, type ServerOptions } from "../../src/transport/server.js";

export const CHECK_SESSION = "/para.signer.v1.SignerService/CheckSession";
export const HEALTH_CHECK = "/grpc.health.v1.Health/Check";

/** Health Check: SERVING for any name, except "slow", which answers only when the call's deadline aborts it. */
const health: Partial<ServiceImpl<typeof Health>> = {
  async check(req, ctx) {
    if (req.service === "slow") {
      await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true }));
    }
    return create(HealthCheckResponseSchema, { status: S.SERVING });
  },
};

const signer: Partial<ServiceImpl<typeof SignerService>> = {
  checkSession: () => create(CheckSessionResponseSchema, { active: true }),
};

export interface TransportServer {
  server: Server;
  port: number;
  grpc: ReturnType<typeof createGrpcTransport>;
  connect: ReturnType<typeof createConnectTransport>;
  stop(): Promise<void>;
}

export async function startTransportServer(
  env: Record<string, string> = {},
  telemetry?: ServerOptions["telemetry"],
  interceptors?: Interceptor[],
): Promise<TransportServer> {
  const config = envToConfig({ PORT: "0", SIGNER_DRAIN_DELAY_MS: "0", SIGNER_SHUTDOWN_GRACE_MS: "1000", ...env });
  const server = createServer({
    config,
    routes: (router) => {
      router.service(Health, health);
      router.service(SignerService, signer);
    },
    ...(telemetry ? { telemetry } : {}),
    ...(interceptors ? { interceptors } : {}),
  });
  const { port } = await server.start();
  const common = { baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" as const, idleConnectionTimeoutMs: 50 };
  return { server, port, grpc: createGrpcTransport(common), connect: createConnectTransport(common), stop: () => server.stop() };
}
