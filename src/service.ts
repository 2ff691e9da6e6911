import type { AddressInfo } from "node:net";
import { context, metrics, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { Config, ParaConfig } from "./config.js";
import { ServingStatus, HealthRegistry } from "./health/health-registry.js";
import { FreshInstanceFactory } from "./para/instance-factory.js";
import { PristineInstancePool } from "./para/instance-pool.js";
import { ParaJwtVerifier } from "./para/jwt-verifier.js";
import { ParaGateway } from "./para/para-gateway.js";
import { ParaRestClient } from "./para/para-rest.js";
import { resetSigningWorker, warmSigningWorker } from "./para/para-sdk.js";
import { SigningWorkerSupervisor } from "./para/signing-worker.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../gen/para/signer/v1/signer_service_pb.js";
import { PARA_COST, ParaAdmission } from "./para/para-admission.js";
import { ParaReachability } from "./para/para-reachability.js";
import { createAuthzInterceptor } from "./authz/authz-interceptor.js";
import { createConcurrencyLimitInterceptor } from "./limits/concurrency-limit.js";
import { createRoutes, HEALTH_SERVICES, LIVENESS } from "./routes.js";
import { createServer } from "./server.js";
import { Signer } from "./signer/signer-service.js";
import { installConsoleGuard } from "./telemetry/console-guard.js";
import { createLogger, type Logger } from "./telemetry/logger.js";
import { createLoggingInterceptor } from "./telemetry/logging-interceptor.js";
import { ParaTelemetry } from "./telemetry/para-telemetry.js";
import { semconvMode } from "./telemetry/semconv.js";
import { createTracingInterceptor } from "./telemetry/tracing-interceptor.js";

export interface RunningService {
  address: AddressInfo;
  logger: Logger;
  health: HealthRegistry;
  instances: PristineInstancePool;
  factory: FreshInstanceFactory;
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
  const local = config.para.apiKey ? undefined : await startLocalBackend(logger);
  const para: ParaConfig & { apiKey: string } = local ? { ...config.para, ...local.para } : { ...config.para, apiKey: config.para.apiKey ?? "" };
  if (!para.secretApiKey) logger.warn("PARA_SECRET_API_KEY is not set: VerifySession(verification_token) and VerifyWallet answer FAILED_PRECONDITION");
  if (!para.jwtAudience) logger.warn("PARA_JWT_AUDIENCE is not set: JWT verification answers FAILED_PRECONDITION");

  const tracer = trace.getTracer("para-signer", SERVICE_VERSION);
  const meter = metrics.getMeter("para-signer", SERVICE_VERSION);
  const health = new HealthRegistry(HEALTH_SERVICES);
  let workerWarm = false;
  // The signer's own health name also says whether Para answers; "" (readiness) only says this process can serve,
  // so a Para outage does not pull every replica out of rotation (callers get UNAVAILABLE + RetryInfo instead).
  const reachability = new ParaReachability((reachable) => {
    logger.warn({ reachable }, reachable ? "Para is reachable again" : "Para is unreachable");
    if (workerWarm) health.set(SignerService.typeName, reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  });
  const telemetry = new ParaTelemetry(tracer, meter, (status) => reachability.observe(status));
  const admission = new ParaAdmission({
    maxConcurrent: config.limits.paraMaxConcurrent,
    perSecond: config.limits.paraMaxRps,
    burst: config.limits.paraBurst,
  });
  const worker = new SigningWorkerSupervisor(() => warmSigningWorker(para.environment, para.apiKey));
  const factory = new FreshInstanceFactory(para.environment, para.apiKey, worker, (trip) => telemetry.roundTrip(trip));
  const never = new AbortController().signal;
  const instances = new PristineInstancePool({
    create: () => factory.acquire(never),
    size: config.limits.poolSize,
    refillConcurrency: config.limits.poolRefillConcurrency,
    maxIdleMs: 60_000,
    settleTimeoutMs: config.limits.paraCallTimeoutMs,
    // Background constructions belong to no call: keep their round trips out of callers' traces.
    runDetached: (fn) => context.with(suppressTracing(context.active()), fn),
    beforeConstruct: () => admission.reserve(PARA_COST.construction),
  });
  const timeout = config.limits.paraCallTimeoutMs;
  const jwt = new ParaJwtVerifier(para.jwksUrl, para.jwtAudience, timeout, telemetry);
  const signer = new Signer({
    gateway: new ParaGateway({ instances, admission, worker, callTimeoutMs: timeout, telemetry }),
    rest: new ParaRestClient(para.apiBaseUrl, para.secretApiKey, timeout, telemetry, admission),
    jwt,
    limits: config.limits,
  });
  const server = createServer({
    config,
    routes: createRoutes({ signer, health }),
    // Outermost first: the span is open while the access log is written, and
    // refusals (limit, authorization) are traced and logged too.
    interceptors: [
      createTracingInterceptor({ tracer, meter, semconv: semconvMode(config.semconvStabilityOptIn) }),
      createLoggingInterceptor(logger),
      createConcurrencyLimitInterceptor(config.limits.maxConcurrentCalls, [Health.typeName]),
      ...(config.authz ? [createAuthzInterceptor(config.authz)] : []),
    ],
    onDraining: () => health.setAll(ServingStatus.NOT_SERVING, [LIVENESS]),
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
    factory,
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

/** Local mode: the embedded Para emulator, loaded only when no API key is configured. */
export async function startLocalBackend(logger: Logger) {
  const { startLocalPara, LOCAL_PARA_API_KEY, LOCAL_PARA_SECRET_API_KEY, LOCAL_PARA_API_KEY_ID } = await import("./local-para/index.js");
  const backend = await startLocalPara();
  logger.warn(
    { apiUrl: backend.apiUrl, portalUrl: backend.portalUrl },
    "LOCAL MODE: no PARA_API_KEY set, running against the embedded local Para backend (not Para's cloud). " +
      "Mint a session with: npm run -s mint-session -- --json",
  );
  return {
    para: { environment: "DEV" as const, apiKey: LOCAL_PARA_API_KEY, secretApiKey: LOCAL_PARA_SECRET_API_KEY, jwtAudience: LOCAL_PARA_API_KEY_ID, apiBaseUrl: backend.apiUrl },
    stop: () => backend.stop(),
  };
}
