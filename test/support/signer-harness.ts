import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { envToConfig } from "../../src/config/config.js";
import { startService, type RunningService } from "../../src/runtime/service.js";
import { createLogger } from "../../src/telemetry/logger.js";
import type { ApiKeyInfo, MintOptions, MintedSession } from "../../src/local-para/types.js";
import { localPara } from "./local-para-admin.js";

export interface SignerHarness {
  service: RunningService;
  key: ApiKeyInfo;
  port: number;
  /** Over gRPC (HTTP/2). */
  grpc: Client<typeof SignerService>;
  /** Over the Connect protocol (HTTP/2). */
  connect: Client<typeof SignerService>;
  /** Every log line the service wrote (JSON text). */
  logs: string[];
  mint(opts?: MintOptions): Promise<MintedSession>;
  stop(): Promise<void>;
}

/**
 * The real service, in this process, on port 0, against the run's local Para
 * backend with an API key of its own (so faults and rate limits set for it
 * touch no other test file).
 */
export interface HarnessOptions {
  sessionLengthMs?: number;
  env?: Record<string, string>;
  /** The server runs TLS (set TLS_* in env): the harness's clients connect with these. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** Use this API key rather than a new one. */
  apiKey?: ApiKeyInfo;
  /** Runs after the key exists and before the service starts (e.g. to make Para fail for it). */
  before?: () => Promise<void>;
}

export async function startSignerHarness(opts: HarnessOptions = {}): Promise<SignerHarness> {
  const key = opts.apiKey ?? (await localPara.createApiKey(opts.sessionLengthMs ? { sessionLengthMs: opts.sessionLengthMs } : {}));
  await opts.before?.();
  const logs: string[] = [];
  const logger = createLogger("debug", { write: (line: string) => void logs.push(line) });
  const config = envToConfig({
    PORT: "0",
    PARA_ENVIRONMENT: "DEV",
    PARA_API_KEY: key.apiKey,
    PARA_SECRET_API_KEY: key.secretApiKey,
    PARA_JWT_AUDIENCE: key.apiKeyId,
    LOG_LEVEL: "debug",
    // One SDK thread, not one per CPU: every test file starts its own services, and the threaded path is the same.
    SIGNER_SDK_THREADS: "1",
    SIGNER_DRAIN_DELAY_MS: "0",
    ...opts.env,
  });
  const service = await startService(config, { logger });
  await until(() => service.health.get("") === S.SERVING, 20_000);
  const common = {
    baseUrl: opts.tls ? `https://localhost:${service.address.port}` : `http://127.0.0.1:${service.address.port}`,
    httpVersion: "2" as const,
    idleConnectionTimeoutMs: 100,
    ...(opts.tls ? { nodeOptions: opts.tls } : {}),
  };
  return {
    service,
    key,
    port: service.address.port,
    grpc: createClient(SignerService, createGrpcTransport(common)),
    connect: createClient(SignerService, createConnectTransport(common)),
    logs,
    mint: (mintOpts = {}) => localPara.mintSession({ apiKey: key.apiKey, ...mintOpts }),
    stop: async () => {
      await localPara.clearFaults(key.apiKey);
      await service.stop();
    },
  };
}

export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
