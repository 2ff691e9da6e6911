import { type AuthzPolicy, parseAuthzPolicy } from "../authz/policy.js";
import { boolean, ConfigError, type Env, fileFrom, integer, nonEmpty, oneOf } from "./config-parse.js";

export { ConfigError };

/**
 * Configuration: read once from the environment into a typed, validated
 * object. Tests build `Config` objects directly (via `envToConfig({...})`) and
 * never touch `process.env`.
 */

export type ParaEnvironment = "DEV" | "SANDBOX" | "BETA" | "PROD";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface ParaConfig {
  /**
   * Run against the embedded local Para backend. Decided here once, and only
   * here: true exactly when PARA_API_KEY is absent from the environment and
   * NODE_ENV is not "production" (see `localModeOf`). Nothing else re-derives
   * it from `apiKey`.
   */
  localMode: boolean;
  /** The Para API key; undefined exactly when `localMode` (the local backend supplies its own). */
  apiKey: string | undefined;
  /** The secret API key for the REST verify endpoints; undefined disables them. */
  secretApiKey: string | undefined;
  environment: ParaEnvironment;
  /** The API key's id, which Para puts in JWT `aud`; undefined refuses JWT verification. */
  jwtAudience: string | undefined;
  /** PARA_JWT_ISSUER: when set, a JWT whose `iss` differs is refused; undefined checks no issuer. */
  jwtIssuer: string | undefined;
  /** Base URL of Para's API (user management, REST verify), as the SDK derives it. */
  apiBaseUrl: string;
  /** Para's JWT signing keys: PARA_JWKS_URL, else `<apiBaseUrl>/.well-known/jwks.json`. */
  jwksUrl: string;
  /**
   * Whether the environment names an HTTP proxy the SDK's HTTP client (axios, through proxy-from-env) would use:
   * without one, the client is told so once instead of looking the variables up on every request.
   */
  proxyConfigured: boolean;
}

export interface LimitsConfig {
  /** Largest accepted exported session, in bytes of its string form. */
  maxSessionBytes: number;
  /** Largest accepted message to sign. */
  maxMessageBytes: number;
  /** Longest accepted verification token or JWT (VerifySession), in characters. */
  maxCredentialChars: number;
  /** Most items in one SignMessages batch. */
  maxBatchItems: number;
  /** Most message bytes in one SignMessages batch, all items together (each item also within maxMessageBytes). */
  maxBatchMessageBytes: number;
  /** A batch's items signed at once: bounds what one batch holds of the shared signing worker. */
  batchConcurrency: number;
  /** AwaitReview calls one user may have waiting at once (each holds a call slot and an SDK instance). */
  maxReviewWaitsPerUser: number;
  /** How long an idempotency key's first response is answered again (docs/design.md §3). */
  idempotencyTtlMs: number;
  /** Idempotency keys remembered at once, and the bytes of their responses: past either, the oldest are forgotten. */
  idempotencyMaxEntries: number;
  idempotencyMaxBytes: number;
  /** Longest accepted wallet address (VerifyWallet), in characters. */
  maxAddressChars: number;
  /** Largest request or response message on the wire. */
  maxWireBytes: number;
  /** Cap on any caller's deadline: a longer one is clamped to it (unary calls without one get it too). */
  maxTimeoutMs: number;
  /** A request body (or one streamed message) not complete within this is refused and its bytes released. */
  bodyReadTimeoutMs: number;
  /** Request bytes held across all streams whose body is still arriving; a stream that would pass it is refused. */
  maxBufferedBytes: number;
  /** Open connections (TCP or TLS) at once; more are closed as they arrive. */
  maxConnections: number;
  /** HTTP/2 streams open at once in the process, over all connections; more are refused with REFUSED_STREAM. */
  maxOpenStreams: number;
  /** Cap on any single Para round trip (the SDK has no timeouts of its own). */
  paraCallTimeoutMs: number;
  /** Calls in progress at once; more are refused with RESOURCE_EXHAUSTED instead of queueing. */
  maxConcurrentCalls: number;
  /** Pre-constructed SDK instances kept waiting (each used by one call only); 0 disables. */
  poolSize: number;
  /** Background constructions at once. */
  poolRefillConcurrency: number;
  /**
   * Worker threads that run the SDK's per-call work (docs/para-sdk.md §2 "SDK threads"); 0: on the main thread;
   * "auto": from the container's CPU quota (src/para/threads/sdk-thread-count.ts).
   */
  sdkThreads: number | "auto";
  /**
   * Each SDK thread's V8 heap, in MiB (the Worker's `resourceLimits`): the old generation's cap (V8's own limit
   * where that is lower: it follows the container's memory limit), and the young generation's size; 0 leaves V8's
   * own. Why: docs/para-sdk.md §2.5 "SDK thread heaps".
   */
  sdkThreadHeapMb: number;
  sdkThreadYoungMb: number;
  /** Calls talking to Para at once, per instance; 0: no limit. */
  paraMaxConcurrent: number;
  /** Para round trips per second, per instance; 0: no limit (Para rate limiting is off until configured). */
  paraMaxRps: number;
  /** Round trips that may be spent at once after a quiet spell. */
  paraBurst: number;
  /**
   * How long Para's answers to a fresh SDK instance's session-less construction requests (touch, partner, logout)
   * are reused by the next instances (src/para/sdk/anonymous-answers.ts); 0 sends them for every instance.
   */
  anonymousAnswerMs: number;
  /** How long Para's answers about a user (wallet list, verified auth) are reused; 0: ask on every call. */
  identityCacheMs: number;
  /**
   * How long a refusal is remembered: a session whose blob contradicted Para, and a signer whose job Para refused
   * (crashing the signing worker), are refused again at once, with no Para work; 0: never remembered.
   */
  refusalHoldMs: number;
  /**
   * grpc.health.v1 Watch streams open at once in this process, over all
   * connections; more are refused with RESOURCE_EXHAUSTED. Each holds a
   * stream and a listener for as long as the caller likes, and the HTTP/2
   * stream cap is per connection, so without this many connections could
   * hold unboundedly many.
   */
  maxHealthWatchers: number;
}

export interface Http2Config {
  maxConcurrentStreams: number;
  maxHeaderListBytes: number;
  /** A connection with no stream for this long is closed. */
  idleTimeoutMs: number;
  /** Ping an idle connection this often to find dead peers; 0 disables. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export interface ShutdownConfig {
  /** After SIGTERM, keep serving this long (health already says NOT_SERVING) so endpoints and sidecars catch up. */
  drainDelayMs: number;
  /** Then let in-flight calls finish for at most this long before cancelling them. */
  graceMs: number;
}

export interface TlsConfig {
  cert: Buffer;
  key: Buffer;
  /** When set, clients must present a certificate signed by this CA (mTLS). */
  clientCa: Buffer | undefined;
}

export interface Config {
  host: string;
  port: number;
  /** Service processes sharing the port (node:cluster); "auto" = one per core. */
  workers: number | "auto";
  logLevel: LogLevel;
  /** OTEL_SEMCONV_STABILITY_OPT_IN, as given (see telemetry/semconv.ts). */
  semconvStabilityOptIn: string;
  /** SIGNER_TRACE_HEALTH, SIGNER_TRACE_REFLECTION: give health checks and reflection calls spans (default: metrics only). */
  trace: { health: boolean; reflection: boolean };
  para: ParaConfig;
  limits: LimitsConfig;
  http2: Http2Config;
  shutdown: ShutdownConfig;
  /** Undefined: h2c (cleartext HTTP/2, as behind a mesh sidecar). */
  tls: TlsConfig | undefined;
  /** Undefined: every caller may call every RPC (the mesh authorises). */
  authz: AuthzPolicy | undefined;
}

/** The SDK's API base per environment (docs/para-sdk.md §0): only DEV is loopback. */
export const PARA_API_BASE: Record<ParaEnvironment, string> = {
  DEV: "http://localhost:8080",
  SANDBOX: "https://api.sandbox.getpara.com",
  BETA: "https://api.beta.getpara.com",
  PROD: "https://api.getpara.com",
};

const ENVIRONMENTS: readonly ParaEnvironment[] = ["DEV", "SANDBOX", "BETA", "PROD"];
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function envToConfig(env: Env): Config {
  return {
    host: nonEmpty(env["HOST"]) ?? "127.0.0.1",
    port: integer(env, "PORT", 50051, 0, 65535),
    workers: env["SIGNER_WORKERS"]?.trim().toLowerCase() === "auto" ? "auto" : integer(env, "SIGNER_WORKERS", 1, 1, 64),
    logLevel: oneOf("LOG_LEVEL", env["LOG_LEVEL"]?.toLowerCase(), LOG_LEVELS, "info"),
    semconvStabilityOptIn: env["OTEL_SEMCONV_STABILITY_OPT_IN"] ?? "",
    trace: { health: boolean(env, "SIGNER_TRACE_HEALTH", false), reflection: boolean(env, "SIGNER_TRACE_REFLECTION", false) },
    para: paraConfig(env),
    limits: {
      maxSessionBytes: integer(env, "SIGNER_MAX_SESSION_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
      maxMessageBytes: integer(env, "SIGNER_MAX_MESSAGE_BYTES", 64 * 1024, 32, 16 * 1024 * 1024),
      // The address floor fits every address kind Para has (EVM 42, Solana up to 44, Cosmos bech32 about 45
      // characters). Past the RPC's request size (session + message limits + 4 KiB) the transport refuses first.
      maxCredentialChars: integer(env, "SIGNER_MAX_CREDENTIAL_CHARS", 16 * 1024, 1024, 1024 * 1024),
      maxAddressChars: integer(env, "SIGNER_MAX_ADDRESS_CHARS", 256, 64, 4096),
      maxBatchItems: integer(env, "SIGNER_MAX_BATCH_ITEMS", 64, 1, 1024),
      maxBatchMessageBytes: integer(env, "SIGNER_MAX_BATCH_MESSAGE_BYTES", 256 * 1024, 32, 16 * 1024 * 1024),
      batchConcurrency: integer(env, "SIGNER_BATCH_CONCURRENCY", 4, 1, 64),
      maxReviewWaitsPerUser: integer(env, "SIGNER_MAX_REVIEW_WAITS_PER_USER", 4, 1, 1024),
      idempotencyTtlMs: integer(env, "SIGNER_IDEMPOTENCY_TTL_MS", 24 * 3_600_000, 1_000, 7 * 24 * 3_600_000),
      idempotencyMaxEntries: integer(env, "SIGNER_IDEMPOTENCY_MAX_ENTRIES", 100_000, 1, 10_000_000),
      idempotencyMaxBytes: integer(env, "SIGNER_IDEMPOTENCY_MAX_BYTES", 64 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
      maxWireBytes: integer(env, "SIGNER_MAX_WIRE_BYTES", 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
      maxTimeoutMs: integer(env, "SIGNER_MAX_TIMEOUT_MS", 60_000, 100, 600_000),
      bodyReadTimeoutMs: integer(env, "SIGNER_BODY_READ_TIMEOUT_MS", 10_000, 100, 600_000),
      maxBufferedBytes: integer(env, "SIGNER_MAX_BUFFERED_BYTES", 64 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
      maxConnections: integer(env, "SIGNER_MAX_CONNECTIONS", 1024, 1, 1_000_000),
      maxOpenStreams: integer(env, "SIGNER_MAX_OPEN_STREAMS", 1024, 16, 1_000_000),
      paraCallTimeoutMs: integer(env, "SIGNER_PARA_CALL_TIMEOUT_MS", 20_000, 50, 600_000),
      maxConcurrentCalls: integer(env, "SIGNER_MAX_CONCURRENT_CALLS", 512, 1, 100_000),
      poolSize: integer(env, "SIGNER_POOL_SIZE", 32, 0, 1024),
      poolRefillConcurrency: integer(env, "SIGNER_POOL_REFILL_CONCURRENCY", 8, 1, 256),
      sdkThreads: (env["SIGNER_SDK_THREADS"] ?? "auto") === "auto" ? "auto" : integer(env, "SIGNER_SDK_THREADS", 0, 0, 64),
      sdkThreadHeapMb: v8HeapMb(env, "SIGNER_SDK_THREAD_HEAP_MB", 2000, 256, 65_536),
      sdkThreadYoungMb: v8HeapMb(env, "SIGNER_SDK_THREAD_YOUNG_MB", 96, 16, 1024),
      paraMaxConcurrent: integer(env, "SIGNER_PARA_MAX_CONCURRENT", 0, 0, 100_000),
      paraMaxRps: integer(env, "SIGNER_PARA_MAX_RPS", 0, 0, 1_000_000),
      paraBurst: integer(env, "SIGNER_PARA_BURST", Math.max(integer(env, "SIGNER_PARA_MAX_RPS", 0, 0, 1_000_000), 1), 1, 1_000_000),
      identityCacheMs: integer(env, "SIGNER_IDENTITY_CACHE_MS", 30_000, 0, 3_600_000),
      anonymousAnswerMs: integer(env, "SIGNER_PARA_ANONYMOUS_ANSWER_MS", 30_000, 0, 3_600_000),
      refusalHoldMs: integer(env, "SIGNER_REFUSAL_HOLD_MS", 60_000, 0, 3_600_000),
      maxHealthWatchers: integer(env, "SIGNER_MAX_HEALTH_WATCHERS", 256, 1, 100_000),
    },
    http2: {
      maxConcurrentStreams: integer(env, "SIGNER_HTTP2_MAX_CONCURRENT_STREAMS", 256, 1, 65_535),
      maxHeaderListBytes: integer(env, "SIGNER_HTTP2_MAX_HEADER_BYTES", 16 * 1024, 1024, 1024 * 1024),
      idleTimeoutMs: integer(env, "SIGNER_HTTP2_IDLE_TIMEOUT_MS", 5 * 60_000, 1_000, 24 * 3_600_000),
      pingIntervalMs: integer(env, "SIGNER_HTTP2_PING_INTERVAL_MS", 60_000, 0, 3_600_000),
      pingTimeoutMs: integer(env, "SIGNER_HTTP2_PING_TIMEOUT_MS", 20_000, 100, 600_000),
    },
    shutdown: {
      drainDelayMs: integer(env, "SIGNER_DRAIN_DELAY_MS", 5_000, 0, 600_000),
      graceMs: integer(env, "SIGNER_SHUTDOWN_GRACE_MS", 20_000, 0, 600_000),
    },
    tls: tlsConfig(env),
    authz: authzConfig(env),
  };
}

function paraConfig(env: Env): ParaConfig {
  const localMode = localModeOf(env);
  const apiKey = localMode ? undefined : nonEmpty(env["PARA_API_KEY"]);
  const keyEnvironment = apiKey ? environmentOfKey(apiKey) : undefined;
  const environment = oneOf("PARA_ENVIRONMENT", env["PARA_ENVIRONMENT"]?.toUpperCase(), ENVIRONMENTS, keyEnvironment ?? (apiKey ? "BETA" : "DEV"));
  if (keyEnvironment && keyEnvironment !== environment) {
    throw new ConfigError(`PARA_API_KEY: the key is for ${keyEnvironment} but PARA_ENVIRONMENT is ${environment}`);
  }
  return {
    localMode,
    apiKey,
    secretApiKey: nonEmpty(env["PARA_SECRET_API_KEY"]),
    environment,
    jwtAudience: nonEmpty(env["PARA_JWT_AUDIENCE"]),
    jwtIssuer: nonEmpty(env["PARA_JWT_ISSUER"]),
    apiBaseUrl: PARA_API_BASE[environment],
    jwksUrl: url(env, "PARA_JWKS_URL") ?? `${PARA_API_BASE[environment]}/.well-known/jwks.json`,
    proxyConfigured: PROXY_VARIABLES.some((name) => nonEmpty(env[name]) !== undefined || nonEmpty(env[name.toUpperCase()]) !== undefined),
  };
}

/** What proxy-from-env (axios's proxy lookup) reads, in either case: npm's own settings count when run by npm. */
const PROXY_VARIABLES = ["http_proxy", "https_proxy", "all_proxy", "npm_config_proxy", "npm_config_http_proxy", "npm_config_https_proxy"];

/**
 * Fail closed: local mode starts an emulator whose admin API mints sessions
 * and whose JWKS the service then trusts, so it must never start by
 * accident. An empty Kubernetes Secret value arrives as PARA_API_KEY="" and
 * is a mistake, not a request for local mode; only a variable absent
 * altogether asks for it, and never under NODE_ENV=production (the image's
 * default), where a missing key is a deployment error.
 */
function localModeOf(env: Env): boolean {
  const key = env["PARA_API_KEY"];
  if (key !== undefined && key.trim() === "") {
    throw new ConfigError("PARA_API_KEY: set but empty (unset it altogether for local mode, which production refuses)");
  }
  if (key !== undefined) return false;
  if (env["NODE_ENV"]?.trim().toLowerCase() === "production") {
    throw new ConfigError("PARA_API_KEY: required when NODE_ENV=production (local mode is for development only)");
  }
  return true;
}

/**
 * The SDK silently lets a key's prefix override the environment argument
 * (a `prod_` key with DEV talks to production), and throws on an unknown
 * prefix. Read the prefix here so a contradiction is refused at start-up.
 */
function environmentOfKey(apiKey: string): ParaEnvironment | undefined {
  const underscore = apiKey.indexOf("_");
  if (underscore < 0) return undefined;
  const prefix = apiKey.slice(0, underscore).toUpperCase();
  if (!(ENVIRONMENTS as readonly string[]).includes(prefix)) {
    throw new ConfigError(`PARA_API_KEY: unknown environment prefix (expected one of ${ENVIRONMENTS.join(", ")} before "_")`);
  }
  return prefix as ParaEnvironment;
}

function url(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (!value) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed.href;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name}: not an http(s) URL`);
}

function tlsConfig(env: Env): TlsConfig | undefined {
  const cert = fileFrom(env, "TLS_CERT_FILE");
  const key = fileFrom(env, "TLS_KEY_FILE");
  const clientCa = fileFrom(env, "TLS_CLIENT_CA_FILE");
  if (!cert && !key) {
    if (clientCa) throw new ConfigError("TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE");
    return undefined;
  }
  if (!cert) throw new ConfigError("TLS_CERT_FILE: required with TLS_KEY_FILE");
  if (!key) throw new ConfigError("TLS_KEY_FILE: required with TLS_CERT_FILE");
  return { cert, key, clientCa };
}

function authzConfig(env: Env): AuthzPolicy | undefined {
  const file = fileFrom(env, "SIGNER_AUTHZ_FILE");
  const inline = nonEmpty(env["SIGNER_AUTHZ_POLICY"]);
  const text = file?.toString("utf8") ?? inline;
  if (!text) return undefined;
  const name = file ? "SIGNER_AUTHZ_FILE" : "SIGNER_AUTHZ_POLICY";
  const policy = parseAuthzPolicy(text, (problem) => new ConfigError(`${name}: ${problem}`));
  return { ...policy, trustForwardedClientCert: boolean(env, "SIGNER_TRUST_XFCC", policy.trustForwardedClientCert) };
}

/**
 * A V8 heap size in MiB for the SDK threads: 0 leaves V8's own, else from `min` (below it a thread would run out at
 * once, or V8 would ignore it) to `max`.
 */
function v8HeapMb(env: Env, name: string, fallback: number, min: number, max: number): number {
  const mb = integer(env, name, fallback, 0, max);
  if (mb > 0 && mb < min) throw new ConfigError(`${name}: ${mb} is below ${min} (0 leaves V8's own)`);
  return mb;
}
