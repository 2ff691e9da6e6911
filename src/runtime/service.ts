import type { AddressInfo } from "node:net";
import { metrics, trace } from "@opentelemetry/api";
import type { Config, ParaConfig } from "../config/config.js";
import { ServingStatus, HealthRegistry } from "../health/health-registry.js";
import { type BoundaryStats, type BoundaryStatus, createParaBoundary, type ParaBoundary } from "../para/boundary.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { createAuthzInterceptor } from "../authz/authz-interceptor.js";
import { createConcurrencyLimitInterceptor } from "../limits/concurrency-limit.js";
import { createRoutes, HEALTH_SERVICES, LIVENESS } from "../transport/routes.js";
import { createServer, type Server } from "../transport/server.js";
import { MemoryIdempotencyStore } from "../idempotency/memory-idempotency-store.js";
import { Signer } from "../signer/signer-service.js";
import { type LocalBackend, startLocalBackend } from "./local-mode.js";
import { installConsoleGuard } from "../telemetry/console-guard.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { createLoggingInterceptor } from "../telemetry/logging-interceptor.js";
import { semconvMode } from "../telemetry/semconv.js";
import { registerBoundaryMetrics } from "../telemetry/boundary-metrics.js";
import { createTracingInterceptor, untracedServices } from "../telemetry/tracing-interceptor.js";

/** Health as the outside sees it (what grpc.health.v1 answers): read-only. */
export interface HealthView {
  get(service: string): ServingStatus | undefined;
}

export interface Service {
  readonly logger: Logger;
  readonly health: HealthView;
  /**
   * Builds the Para boundary, the handlers and the server, and listens; resolves with the bound address. Health
   * turns SERVING later, once the SDK's signing worker is warm. With no PARA_API_KEY the local Para backend is
   * started in-process first (local mode).
   */
  start(): Promise<AddressInfo>;
  /** Drains and stops; afterwards nothing keeps the process alive. Safe to call more than once. */
  stop(): Promise<void>;
  /** The Para boundary's counters (instance pool, signing worker, JWKS), once started. */
  stats(): BoundaryStats;
}

export interface RunningService extends Service {
  readonly address: AddressInfo;
}

export interface ServiceOptions {
  logger?: Logger;
  /** Leave `console` alone (tests that run the SDK in-process elsewhere). */
  keepConsole?: boolean;
}

const SERVICE_VERSION = "0.1.0";

/** What start() built, and stop() takes down. */
interface Parts {
  local: LocalBackend | undefined;
  boundary: ParaBoundary;
  server: Server;
}

/**
 * Composition root: wires the parts from a config and orders their lifecycles. It maps the Para boundary's status to
 * health, and stops in order: health NOT_SERVING, server drain, Para boundary, local backend.
 */
export function createService(config: Config, options: ServiceOptions = {}): Service {
  const logger = options.logger ?? createLogger(config.logLevel);
  const health = new HealthRegistry(HEALTH_SERVICES, { maxWatchers: config.limits.maxHealthWatchers });
  let parts: Parts | undefined;
  let starting: Promise<AddressInfo> | undefined;
  let stopping: Promise<void> | undefined;
  // Once shutdown begins, health says NOT_SERVING whatever the boundary reports.
  let draining = false;

  const build = async (): Promise<AddressInfo> => {
    // Installed for good, not restored on stop: SDK work still settling after a stop (background constructions,
    // the worker's exit) must not print to an unguarded console.
    if (!options.keepConsole) installConsoleGuard(logger);
    const local = config.para.localMode ? await startLocalBackend(logger) : undefined;
    const para: ParaConfig & { apiKey: string } = local ? { ...config.para, ...local.para } : { ...config.para, apiKey: config.para.apiKey ?? "" };
    if (!para.secretApiKey) logger.warn("PARA_SECRET_API_KEY is not set: VerifySession(verification_token) and VerifyWallet answer FAILED_PRECONDITION");
    if (!para.jwtAudience) logger.warn("PARA_JWT_AUDIENCE is not set: JWT verification answers FAILED_PRECONDITION");

    const tracer = trace.getTracer("para-signer", SERVICE_VERSION);
    const meter = metrics.getMeter("para-signer", SERVICE_VERSION);
    const boundary = createParaBoundary({ para, limits: config.limits, tracer, meter, logger });
    let announced = false;
    boundary.onStatus((status) => {
      if (draining) return;
      showBoundaryStatus(health, status);
      if (status.ready && !announced) {
        announced = true;
        logger.info("signing worker warm: SERVING");
      }
    });
    registerBoundaryMetrics(meter, boundary);
    // Per process (docs/design.md §3; README "Idempotency"): a mesh routes one key to one replica by its header.
    const idempotency = new MemoryIdempotencyStore({
      ttlMs: config.limits.idempotencyTtlMs,
      maxEntries: config.limits.idempotencyMaxEntries,
      maxBytes: config.limits.idempotencyMaxBytes,
    });
    const signer = new Signer({ gateway: boundary.gateway, rest: boundary.rest, jwt: boundary.jwt, idempotency, limits: config.limits });
    const semconv = semconvMode(config.semconvStabilityOptIn);
    const server = createServer({
      config,
      routes: createRoutes({ signer, health }),
      // Outermost first: the span is open while the access log is written, and
      // refusals (limit, authorization) are traced and logged too.
      interceptors: [
        createTracingInterceptor({ tracer, meter, semconv, untraced: untracedServices(config.trace) }),
        createLoggingInterceptor(logger),
        createConcurrencyLimitInterceptor(config.limits.maxConcurrentCalls, [Health.typeName]),
        ...(config.authz ? [createAuthzInterceptor(config.authz)] : []),
      ],
      // Bodies refused at the transport (size, buffered bytes, read time) never reach the interceptors above.
      telemetry: { logger, tracer, meter, semconv },
    });
    parts = { local, boundary, server };
    const address = await server.start();
    health.set(LIVENESS, ServingStatus.SERVING);
    logger.info({ pid: process.pid, host: address.address, port: address.port, environment: para.environment, local: Boolean(local) }, "listening");
    boundary.start();
    return address;
  };

  return {
    logger,
    health,

    start() {
      if (starting || stopping) throw new Error("the service can be started once, and not after stop()");
      starting = build();
      return starting;
    },

    stop() {
      stopping ??= (async () => {
        draining = true;
        health.setAll(ServingStatus.NOT_SERVING, [LIVENESS]);
        // A start still under way finishes first, so whatever it started is stopped below.
        await starting?.catch(() => undefined);
        await parts?.server.stop();
        await parts?.boundary.stop();
        await parts?.local?.stop();
      })();
      return stopping;
    },

    stats() {
      if (!parts) throw new Error("the service has not started");
      return parts.boundary.stats();
    },
  };
}

/** Creates and starts the service (what main.ts, tests and scripts run). */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const service = createService(config, options);
  const address = await service.start();
  return { ...service, address };
}

/**
 * The boundary's status as health, until shutdown. Readiness ("") and the signer's name turn SERVING once the
 * signing worker is warm (liveness already is, from listening). The signer's own name also says whether Para
 * answers; "" only says this process can serve, so a Para outage does not pull every replica out of rotation
 * (callers get UNAVAILABLE + RetryInfo).
 */
function showBoundaryStatus(health: HealthRegistry, { ready, reachable }: BoundaryStatus): void {
  if (!ready) return;
  health.setAll(ServingStatus.SERVING, [SignerService.typeName]);
  health.set(SignerService.typeName, reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
}
