import { context, type Meter, type Tracer } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { LimitsConfig, ParaConfig } from "../config/config.js";
import { ParaTelemetry } from "./para-telemetry.js";
import { FreshInstanceFactory } from "./instance-factory.js";
import { PristineInstancePool } from "./instance-pool.js";
import type { JwksStats } from "./jwks-cache.js";
import { ParaJwtVerifier } from "./jwt-verifier.js";
import { PARA_COST, ParaAdmission } from "./para-admission.js";
import { ParaGateway, type ParaInstanceSource } from "./para-gateway.js";
import { ParaReachability } from "./para-reachability.js";
import { ParaRestClient } from "./para-rest.js";
import { RecentRefusals } from "./recent-refusals.js";
import { ReviewWaits } from "./review-waits.js";
import { SessionIdentity } from "./session-identity.js";
import { loadedParaSdk, loadParaSdk } from "./para-sdk-loader.js";
import { SigningWorkerSupervisor } from "./signing-worker.js";
import { threadedSigning } from "./threads/remote-para-instance.js";
import { sdkThreadCount } from "./threads/sdk-thread-count.js";
import { SdkThreadPool, type SdkThreadStats } from "./threads/sdk-thread-pool.js";
import { spawnSdkThread, threadHeapLimitMb } from "./threads/sdk-thread-spawn.js";

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
  /** The SDK threads (all zero when the SDK runs on the main thread). */
  threads: SdkThreadStats;
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
  /** SDK threads, when the SDK runs in them: readiness also needs one of them to be able to serve. */
  threads?: { stats(): SdkThreadStats; readonly isAvailable: boolean; onChange(listener: () => void): void };
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
    parts.threads?.onChange(() => {
      if (this.state === "ready") this.emit();
    });
  }

  status(): BoundaryStatus {
    const threadsServe = this.parts.threads?.isAvailable ?? true;
    return { ready: this.state === "ready" && threadsServe, reachable: this.parts.reachability.isReachable };
  }

  /** Calls `listener` with the whole status on each change of readiness or reachability; returns the unsubscribe function. */
  onStatus(listener: (status: BoundaryStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): BoundaryStats {
    const threads = this.parts.threads?.stats() ?? { configured: 0, ready: 0, crashes: 0, replacements: 0 };
    return { pool: this.parts.pool.stats(), worker: this.parts.worker.stats(), jwks: this.parts.jwt.stats(), threads };
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
  logger: BoundaryLog & { debug(fields: object, message: string): void; isLevelEnabled?(level: string): boolean };
}

/** The SDK's side of the boundary: where instances come from, who supervises signing, and their lifecycles. */
interface SdkParts {
  instances: ParaInstanceSource & { readonly size: number };
  signing: Pick<SigningWorkerSupervisor, "run">;
  worker: BoundaryParts["worker"];
  pool: BoundaryParts["pool"];
  threads?: BoundaryParts["threads"];
  terminateWorker: () => void;
}

/** Wires the Para boundary: one place knows how its parts depend on each other. Nothing runs until `start()`. */
export function createParaBoundary({ para, limits, tracer, meter, logger }: BoundaryOptions): ParaBoundary {
  // ParaReachability tells one callback, fixed at construction; the boundary subscribes once it exists.
  let reachabilityChanged: (reachable: boolean) => void = () => undefined;
  const reachability = new ParaReachability((reachable) => reachabilityChanged(reachable));
  const telemetry = new ParaTelemetry(tracer, meter, (status, endedAt) => reachability.observe(status, endedAt));
  const admission = new ParaAdmission({ maxConcurrent: limits.paraMaxConcurrent, perSecond: limits.paraMaxRps, burst: limits.paraBurst });
  const threadCount = sdkThreadCount(limits.sdkThreads);
  const sdk = threadCount > 0 ? sdkInThreads(threadCount, para, limits, telemetry, admission, logger) : sdkInProcess(para, limits, telemetry, admission);
  const timeout = limits.paraCallTimeoutMs;
  const rest = new ParaRestClient(para.apiBaseUrl, para.secretApiKey, timeout, telemetry, admission);
  const identity = new SessionIdentity({ ttlMs: limits.identityCacheMs });
  const gateway = new ParaGateway({
    instances: sdk.instances,
    admission,
    worker: sdk.signing,
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
      worker: sdk.worker,
      pool: sdk.pool,
      ...(sdk.threads ? { threads: sdk.threads } : {}),
      reachability: {
        get isReachable() {
          return reachability.isReachable;
        },
        onChange: (listener) => (reachabilityChanged = listener),
      },
      terminateWorker: sdk.terminateWorker,
    },
    { logger },
  );
}

/** The SDK on the main thread (SIGNER_SDK_THREADS=0): one signing worker, one pristine pool, here. */
function sdkInProcess(para: BoundaryOptions["para"], limits: LimitsConfig, telemetry: ParaTelemetry, admission: ParaAdmission): SdkParts {
  const worker = new SigningWorkerSupervisor(async () => (await loadParaSdk()).warmSigningWorker(para.environment, para.apiKey), {
    quarantineMs: limits.refusalHoldMs,
  });
  const factory = new FreshInstanceFactory(para.environment, para.apiKey, worker, (trip) => telemetry.roundTrip(trip), {
    proxyConfigured: para.proxyConfigured,
    anonymousAnswerTtlMs: limits.anonymousAnswerMs,
  });
  const instances = new PristineInstancePool({
    create: () => factory.create(),
    size: limits.poolSize,
    refillConcurrency: limits.poolRefillConcurrency,
    maxIdleMs: POOL_MAX_IDLE_MS,
    settleTimeoutMs: limits.paraCallTimeoutMs,
    // Background constructions belong to no call: keep their round trips out of callers' traces.
    runDetached: (fn) => context.with(suppressTracing(context.active()), fn),
    beforeConstruct: () => factory.admitConstruction(() => admission.reserve(PARA_COST.construction)),
  });
  return { instances, signing: worker, worker, pool: instances, terminateWorker: () => loadedParaSdk()?.resetSigningWorker() };
}

/**
 * The SDK in `count` worker threads (docs/para-sdk.md §2 "SDK threads"): each with its own signing worker,
 * supervisor and pristine pool (the pool size is per thread, split); admission, identity checks and telemetry here.
 */
function sdkInThreads(
  count: number,
  para: BoundaryOptions["para"],
  limits: LimitsConfig,
  telemetry: ParaTelemetry,
  admission: ParaAdmission,
  logger: BoundaryOptions["logger"],
): SdkParts {
  const listeners: Array<() => void> = [];
  const consoleDebug = logger.isLevelEnabled?.("debug") ?? false;
  const threads = new SdkThreadPool({
    count,
    spawn: (index) =>
      spawnSdkThread(
        {
          environment: para.environment,
          apiKey: para.apiKey,
          proxyConfigured: para.proxyConfigured,
          anonymousAnswerTtlMs: limits.anonymousAnswerMs,
          poolSize: Math.ceil(limits.poolSize / count),
          refillConcurrency: Math.max(1, Math.ceil(limits.poolRefillConcurrency / count)),
          maxIdleMs: POOL_MAX_IDLE_MS,
          settleTimeoutMs: limits.paraCallTimeoutMs,
          quarantineMs: limits.refusalHoldMs,
          consoleDebug,
          heapLimitMb: threadHeapLimitMb(limits.sdkThreadHeapMb),
          youngGenerationMb: limits.sdkThreadYoungMb,
        },
        index,
      ),
    onRoundTrip: (trip) => telemetry.roundTrip(trip),
    reserveConstruction: () => admission.reserve(PARA_COST.construction),
    log: (text, thread) => logger.debug({ source: "console", sdkThread: thread }, text),
    onAvailability: (available) => {
      if (!available) logger.warn({}, "no SDK thread can serve");
      for (const listener of listeners) listener();
    },
  });
  return {
    instances: threads,
    signing: threadedSigning,
    worker: {
      ready: () => threads.ready(),
      stop: () => threads.stop(),
      stats: () => threads.stats().worker,
    },
    pool: { start: () => threads.start(), stop: () => undefined, stats: () => threads.stats().pool },
    threads: {
      stats: () => threads.stats().threads,
      get isAvailable() {
        return threads.isAvailable;
      },
      onChange: (listener) => listeners.push(listener),
    },
    terminateWorker: () => undefined,
  };
}

const POOL_MAX_IDLE_MS = 60_000;
