import type { AddressInfo } from "node:net";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { envToConfig } from "../../src/config/config.js";
import { createServer, type Server } from "../../src/transport/server.js";

export interface RunningServer {
  server: Server;
  address: AddressInfo;
  baseUrl: string;
  grpc: ReturnType<typeof createGrpcTransport>;
  connect: ReturnType<typeof createConnectTransport>;
  grpcWeb: ReturnType<typeof createGrpcWebTransport>;
}

/** A real HTTP/2 server on 127.0.0.1, port 0, with clients that drop idle sessions so stop() never hangs. */
export async function startTestServer(
  routes: (router: ConnectRouter) => void,
  interceptors: Interceptor[] = [],
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = envToConfig({ PORT: "0", SIGNER_DRAIN_DELAY_MS: "0", ...env });
  const server = createServer({ config, routes, interceptors });
  const address = await server.start();
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const common = { baseUrl, httpVersion: "2" as const, idleConnectionTimeoutMs: 50 };
  return {
    server,
    address,
    baseUrl,
    grpc: createGrpcTransport(common),
    connect: createConnectTransport(common),
    grpcWeb: createGrpcWebTransport(common),
  };
}
