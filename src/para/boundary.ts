import { context, type Meter, type Tracer } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { LimitsConfig, ParaConfig } from "../config/config.js";
import { ParaTelemetry } from "./para-telemetry.js";
import { FreshInstanceFactory } from "./instance-factory.js";
import { PristineInstancePool } from "./instance-pool.js";
import { ParaJwtVerifier } from "./jwt-verifier.js";
import { PARA_COST, ParaAdmission } from "./para-admission.js";
import { ParaGateway } from "./para-gateway.js";
import { ParaReachability } from "./para-reachability.js";
import { ParaRestClient } from "./para-rest.js";
import { RecentRefusals } from "./recent-refusals.js";
import { SessionIdentity } from "./session-identity.js";
import { warmSigningWorker } from "./para-sdk.js";
import { SigningWorkerSupervisor } from "./signing-worker.js";

export interface ParaBoundary {
  gateway: ParaGateway;
  rest: ParaRestClient;
  jwt: ParaJwtVerifier;
  worker: SigningWorkerSupervisor;
  instances: PristineInstancePool;
  reachability: ParaReachability;
}

export interface BoundaryOptions {
  para: ParaConfig & { apiKey: string };
  limits: LimitsConfig;
  tracer: Tracer;
  meter: Meter;
  /** Told when Para becomes unreachable or reachable again. */
  onReachability: (reachable: boolean) => void;
}

/** Wires the Para boundary: one place knows how its parts depend on each other. */
export function createParaBoundary({ para, limits, tracer, meter, onReachability }: BoundaryOptions): ParaBoundary {
  const reachability = new ParaReachability(onReachability);
  const telemetry = new ParaTelemetry(tracer, meter, (status) => reachability.observe(status));
  const admission = new ParaAdmission({ maxConcurrent: limits.paraMaxConcurrent, perSecond: limits.paraMaxRps, burst: limits.paraBurst });
  const worker = new SigningWorkerSupervisor(() => warmSigningWorker(para.environment, para.apiKey), {
    quarantineMs: limits.refusalHoldMs,
  });
  const factory = new FreshInstanceFactory(para.environment, para.apiKey, worker, (trip) => telemetry.roundTrip(trip));
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
  return {
    gateway: new ParaGateway({
      instances,
      admission,
      worker,
      identity,
      rest,
      refusals: new RecentRefusals(limits.refusalHoldMs),
      callTimeoutMs: timeout,
      telemetry,
    }),
    rest,
    jwt: new ParaJwtVerifier({
      jwksUrl: para.jwksUrl,
      audience: para.jwtAudience,
      issuer: para.jwtIssuer,
      timeoutMs: timeout,
      fetch: telemetry.fetchFor("jwks"),
    }),
    worker,
    instances,
    reachability,
  };
}
