import type { AddressInfo } from "node:net";
import { metrics, trace } from "@opentelemetry/api";
import type { Config, ParaConfig } from "../config/config.js";
import { ServingStatus, HealthRegistry } from "../health/health-registry.js";
import type { PristineInstancePool } from "../para/instance-pool.js";
import { createParaBoundary } from "../para/boundary.js";
import type { ParaJwtVerifier } from "../para/jwt-verifier.js";
import { resetSigningWorker } from "../para/para-sdk.js";
import type { SigningWorkerSupervisor } from "../para/signing-worker.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { createAuthzInterceptor } from "../authz/authz-interceptor.js";
import { createConcurrencyLimitInterceptor } from "../limits/concurrency-limit.js";
import { createRoutes, HEALTH_SERVICES, LIVENESS } from "../transport/routes.js";
import { createServer } from "../transport/server.js";
import { Signer } from "../signer/signer-service.js";
import { startLocalBackend } from "./local-mode.js";
import { installConsoleGuard } from "../telemetry/console-guard.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { createLoggingInterceptor } from "../telemetry/logging-interceptor.js";
import { semconvMode } from "../telemetry/semconv.js";
import { registerBoundaryMetrics } from "../telemetry/boundary-metrics.js";
import { createTracingInterceptor, untracedServices } from "../telemetry/tracing-interceptor.js";

export interface RunningService {
  address: AddressInfo;
  logger: Logger;
  health: HealthRegistry;
  instances: PristineInstancePool;
  worker: SigningWorkerSupervisor;
  jwt: ParaJwtVerifier;
  /** Drains and stops; afterwards nothing keeps the process alive. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  logger?: Logger;
  /** Leave `console` alone (tests that run the SDK in-process elsewhere). */
  keepConsole?: boolean;
}

const WARM_RETRY_MS = 2_000;
const SERVICE_VERSION = "0.1.0";

/**
 * Composition root: builds the Para boundary, the handlers and the server
 * from a config, starts listening, and reports SERVING once the SDK's signing
 * worker is warm. With no PARA_API_KEY the local Para backend is started
 * in-process first (local mode).
 */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Installed for good, not restored on stop: SDK work still settling after a stop (background constructions,
  // the worker's exit) must not print to an unguarded console.
  if (!options.keepConsole) installConsoleGuard(logger);
  const local = config.para.localMode ? await startLocalBackend(logger) : undefined;
  const para: ParaConfig & { apiKey: string } = local ? { ...config.para, ...local.para } : { ...config.para, apiKey: config.para.apiKey ?? "" };
  if (!para.secretApiKey) logger.warn("PARA_SECRET_API_KEY is not set: VerifySession(verification_token) and VerifyWallet answer FAILED_PRECONDITION");
  if (!para.jwtAudience) logger.warn("PARA_JWT_AUDIENCE is not set: JWT verification answers FAILED_PRECONDITION");

  const tracer = trace.getTracer("para-signer", SERVICE_VERSION);
  const meter = metrics.getMeter("para-signer", SERVICE_VERSION);
  const health = new HealthRegistry(HEALTH_SERVICES, { maxWatchers: config.limits.maxHealthWatchers });
  let workerWarm = false;
  const { gateway, rest, jwt, worker, instances, reachability } = createParaBoundary({
    para,
    limits: config.limits,
    tracer,
    meter,
    // The signer's own health name also says whether Para answers; "" (readiness) only says this process can
    // serve, so a Para outage does not pull every replica out of rotation (callers get UNAVAILABLE + RetryInfo).
    onReachability: (reachable) => {
      logger.warn({ reachable }, reachable ? "Para is reachable again" : "Para is unreachable");
      if (workerWarm) health.set(SignerService.typeName, reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    },
  });
  const signer = new Signer({ gateway, rest, jwt, limits: config.limits });
  registerBoundaryMetrics(meter, instances, worker);
  const server = createServer({
    config,
    routes: createRoutes({ signer, health }),
    // Outermost first: the span is open while the access log is written, and
    // refusals (limit, authorization) are traced and logged too.
    interceptors: [
      createTracingInterceptor({ tracer, meter, semconv: semconvMode(config.semconvStabilityOptIn), untraced: untracedServices(config.trace) }),
      createLoggingInterceptor(logger),
      createConcurrencyLimitInterceptor(config.limits.maxConcurrentCalls, [Health.typeName]),
      ...(config.authz ? [createAuthzInterceptor(config.authz)] : []),
    ],
    onDraining: () => health.setAll(ServingStatus.NOT_SERVING, [LIVENESS]),
    // Bodies refused at the transport (size, buffered bytes, read time) never reach the interceptors above.
    telemetry: { logger, tracer, meter, semconv: semconvMode(config.semconvStabilityOptIn) },
  });
  const address = await server.start();
  health.set(LIVENESS, ServingStatus.SERVING);
  logger.info({ pid: process.pid, host: address.address, port: address.port, environment: para.environment, local: Boolean(local) }, "listening");

  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const warm = () => {
    worker.ready().then(
      () => {
        if (stopped) return;
        workerWarm = true;
        instances.start();
        health.setAll(ServingStatus.SERVING, reachability.isReachable ? [] : [SignerService.typeName]);
        logger.info("signing worker warm: SERVING");
      },
      (error: unknown) => {
        logger.warn({ err: { message: error instanceof Error ? error.message : "unknown" } }, "signing worker could not start; retrying");
        if (!stopped) retry = setTimeout(warm, WARM_RETRY_MS);
      },
    );
  };
  warm();

  return {
    address,
    logger,
    health,
    instances,
    worker,
    jwt,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      health.setAll(ServingStatus.NOT_SERVING, [LIVENESS]);
      await server.stop();
      instances.stop();
      await worker.stop(resetSigningWorker);
      await local?.stop();
    },
  };
}
