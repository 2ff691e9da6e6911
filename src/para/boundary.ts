import { context, type Meter, type Tracer } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { LimitsConfig, ParaConfig } from "../config/config.js";
import { ParaTelemetry } from "./para-telemetry.js";
import { FreshInstanceFactory } from "./instance-factory.js";
import { PristineInstancePool } from "./instance-pool.js";
import type { JwksStats } from "./jwks-cache.js";
import { ParaJwtVerifier } from "./jwt-verifier.js";
import { PARA_COST, ParaAdmission } from "./para-admission.js";
import { ParaGateway } from "./para-gateway.js";
import { ParaReachability } from "./para-reachability.js";
import { ParaRestClient } from "./para-rest.js";
import { RecentRefusals } from "./recent-refusals.js";
import { ReviewWaits } from "./review-waits.js";
import { SessionIdentity } from "./session-identity.js";
import { resetSigningWorker, warmSigningWorker } from "./para-sdk.js";
import { SigningWorkerSupervisor } from "./signing-worker.js";

/** What the boundary tells the composition root, on every change. */
export interface BoundaryStatus {
  /** The SDK's signing worker is warm and the instance pool is filling: calls can be served. */
  ready: boolean;
  /** Para answers (judged from the round trips made anyway; para-reachability.ts). */
  reachable: boolean;
}

/** Read-only counters of the boundary's parts (telemetry/boundary-metrics.ts reads them). */
export interface BoundaryStats {
  pool: ReturnType<PristineInstancePool["stats"]>;
  worker: ReturnType<SigningWorkerSupervisor["stats"]>;
  jwks: JwksStats;
}

/** Whether Para answers, and a way to hear when that changes. */
export interface ReachabilitySignal {
  readonly isReachable: boolean;
  onChange(listener: (reachable: boolean) => void): void;
}

/** The parts whose lifecycle the boundary runs: the real ones from `createParaBoundary`, or fakes. */
export interface BoundaryParts {
  gateway: ParaGateway;
  rest: ParaRestClient;
  jwt: ParaJwtVerifier;
  worker: Pick<SigningWorkerSupervisor, "ready" | "stop" | "stats">;
  pool: Pick<PristineInstancePool, "start" | "stop" | "stats">;
  reachability: ReachabilitySignal;
  /** Ends the SDK's own signing worker (its reset), which would otherwise keep the process alive (docs/para-sdk.md §2.3). */
  terminateWorker: () => void;
}

export interface BoundaryLog {
  warn(fields: object, message: string): void;
}

export interface LifecycleOptions {
  logger: BoundaryLog;
  /** After a failed warm-up, the next try waits this long (the supervisor's own back-off may refuse it sooner). */
  warmRetryMs?: number;
}

const WARM_RETRY_MS = 2_000;

/**
 * The Para boundary, and its lifecycle. Handlers see only `gateway`, `rest` and `jwt`. `start()` warms the SDK's
 * signing worker, retrying until it is warm, and only then starts the instance pool (every construction talks to the
 * worker, and with none alive each would download and start its own: docs/para-sdk.md §2.3); `stop()` stops the pool
 * and then the worker. Readiness and Para's reachability are
 * reported through `onStatus`; what they mean for health is the composition root's business.
 */
export class ParaBoundary {
  readonly gateway: ParaGateway;
  readonly rest: ParaRestClient;
  readonly jwt: ParaJwtVerifier;
  private state: "new" | "warming" | "ready" | "stopped" = "new";
  private retry: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;
  private readonly listeners = new Set<(status: BoundaryStatus) => void>();
  private readonly warmRetryMs: number;

  constructor(
    private readonly parts: BoundaryParts,
    private readonly options: LifecycleOptions,
  ) {
    this.gateway = parts.gateway;
    this.rest = parts.rest;
    this.jwt = parts.jwt;
    this.warmRetryMs = options.warmRetryMs ?? WARM_RETRY_MS;
    parts.reachability.onChange((reachable) => {
      options.logger.warn({ reachable }, reachable ? "Para is reachable again" : "Para is unreachable");
      this.emit();
    });
  }

  status(): BoundaryStatus {
    return { ready: this.state === "ready", reachable: this.parts.reachability.isReachable };
  }

  /** Calls `listener` with the whole status on each change of readiness or reachability; returns the unsubscribe function. */
  onStatus(listener: (status: BoundaryStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): BoundaryStats {
    return { pool: this.parts.pool.stats(), worker: this.parts.worker.stats(), jwks: this.parts.jwt.stats() };
  }

  /** Starts warming; readiness is reported through `onStatus`, never by throwing (Para may be down at start-up). */
  start(): void {
    if (this.state !== "new") throw new Error(`the Para boundary cannot start: it is ${this.state}`);
    this.state = "warming";
    this.warm();
  }

  /** Stops the pool, then the signing worker; resolves once the worker has exited. Safe to call more than once. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    const wasReady = this.state === "ready";
    this.state = "stopped";
    clearTimeout(this.retry);
    // The pool first: its background constructions wait on the worker, and would start another one.
    this.parts.pool.stop();
    this.stopped = this.parts.worker.stop(this.parts.terminateWorker);
    if (wasReady) this.emit();
    return this.stopped;
  }

  private warm(): void {
    this.parts.worker.ready().then(
      () => {
        if (this.state !== "warming") return;
        this.state = "ready";
        this.parts.pool.start();
        this.emit();
      },
      (error: unknown) => {
        if (this.state !== "warming") return;
        this.options.logger.warn({ err: { message: error instanceof Error ? error.message : "unknown" } }, "signing worker could not start; retrying");
        this.retry = setTimeout(() => this.warm(), this.warmRetryMs);
      },
    );
  }

  private emit(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}

export interface BoundaryOptions {
  para: ParaConfig & { apiKey: string };
  limits: LimitsConfig;
  tracer: Tracer;
  meter: Meter;
  logger: BoundaryLog;
}

/** Wires the Para boundary: one place knows how its parts depend on each other. Nothing runs until `start()`. */
export function createParaBoundary({ para, limits, tracer, meter, logger }: BoundaryOptions): ParaBoundary {
  // ParaReachability tells one callback, fixed at construction; the boundary subscribes once it exists.
  let reachabilityChanged: (reachable: boolean) => void = () => undefined;
  const reachability = new ParaReachability((reachable) => reachabilityChanged(reachable));
  const telemetry = new ParaTelemetry(tracer, meter, (status) => reachability.observe(status));
  const admission = new ParaAdmission({ maxConcurrent: limits.paraMaxConcurrent, perSecond: limits.paraMaxRps, burst: limits.paraBurst });
  const worker = new SigningWorkerSupervisor(() => warmSigningWorker(para.environment, para.apiKey), {
    quarantineMs: limits.refusalHoldMs,
  });
  const factory = new FreshInstanceFactory(para.environment, para.apiKey, worker, (trip) => telemetry.roundTrip(trip), {
    proxyConfigured: para.proxyConfigured,
  });
  const instances = new PristineInstancePool({
    create: () => factory.create(),
    size: limits.poolSize,
    refillConcurrency: limits.poolRefillConcurrency,
    maxIdleMs: 60_000,
    settleTimeoutMs: limits.paraCallTimeoutMs,
    // Background constructions belong to no call: keep their round trips out of callers' traces.
    runDetached: (fn) => context.with(suppressTracing(context.active()), fn),
    beforeConstruct: () => admission.reserve(PARA_COST.construction),
  });
  const timeout = limits.paraCallTimeoutMs;
  const rest = new ParaRestClient(para.apiBaseUrl, para.secretApiKey, timeout, telemetry, admission);
  const identity = new SessionIdentity({ ttlMs: limits.identityCacheMs });
  const gateway = new ParaGateway({
    instances,
    admission,
    worker,
    identity,
    rest,
    refusals: new RecentRefusals(limits.refusalHoldMs),
    callTimeoutMs: timeout,
    telemetry,
    reviewWaits: new ReviewWaits(limits.maxReviewWaitsPerUser),
  });
  const jwt = new ParaJwtVerifier({
    jwksUrl: para.jwksUrl,
    audience: para.jwtAudience,
    issuer: para.jwtIssuer,
    timeoutMs: timeout,
    fetch: telemetry.fetchFor("jwks"),
  });
  return new ParaBoundary(
    {
      gateway,
      rest,
      jwt,
      worker,
      pool: instances,
      reachability: {
        get isReachable() {
          return reachability.isReachable;
        },
        onChange: (listener) => (reachabilityChanged = listener),
      },
      terminateWorker: resetSigningWorker,
    },
    { logger },
  );
}
