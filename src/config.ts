/**
 * Configuration: read once from the environment into a typed, validated
 * object. Tests build `Config` objects directly (via `envToConfig({...})`) and
 * never touch `process.env`.
 */

export type ParaEnvironment = "DEV" | "SANDBOX" | "BETA" | "PROD";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface ParaConfig {
  /** The Para API key; undefined means local mode (the embedded backend). */
  apiKey: string | undefined;
  /** The secret API key for the REST verify endpoints; undefined disables them. */
  secretApiKey: string | undefined;
  environment: ParaEnvironment;
  /** The API key's id, which Para puts in JWT `aud`; undefined refuses JWT verification. */
  jwtAudience: string | undefined;
  /** Base URL of Para's API (user management, REST verify, JWKS), as the SDK derives it. */
  apiBaseUrl: string;
}

export interface LimitsConfig {
  /** Largest accepted exported session, in bytes of its string form. */
  maxSessionBytes: number;
  /** Largest accepted message to sign. */
  maxMessageBytes: number;
  /** Largest request or response message on the wire. */
  maxWireBytes: number;
  /** Deadline applied when the caller sets none. */
  defaultTimeoutMs: number;
  /** Cap on any caller's deadline (Connect answers INVALID_ARGUMENT above it). */
  maxTimeoutMs: number;
  /** Cap on any single Para round trip (the SDK has no timeouts of its own). */
  paraCallTimeoutMs: number;
  /** Pre-constructed SDK instances kept waiting (each used by one call only); 0 disables. */
  poolSize: number;
  /** Background constructions at once. */
  poolRefillConcurrency: number;
}

export interface Config {
  host: string;
  port: number;
  logLevel: LogLevel;
  /** OTEL_SEMCONV_STABILITY_OPT_IN, as given (see telemetry/semconv.ts). */
  semconvStabilityOptIn: string;
  para: ParaConfig;
  limits: LimitsConfig;
}

/** Raised for a bad environment value; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The SDK's API base per environment (PARA_SDK.md §0): only DEV is loopback. */
export const PARA_API_BASE: Record<ParaEnvironment, string> = {
  DEV: "http://localhost:8080",
  SANDBOX: "https://api.sandbox.getpara.com",
  BETA: "https://api.beta.getpara.com",
  PROD: "https://api.getpara.com",
};

const ENVIRONMENTS: readonly ParaEnvironment[] = ["DEV", "SANDBOX", "BETA", "PROD"];
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

type Env = Record<string, string | undefined>;

export function envToConfig(env: Env): Config {
  const apiKey = nonEmpty(env["PARA_API_KEY"]);
  const keyEnvironment = apiKey ? environmentOfKey(apiKey) : undefined;
  const environment = oneOf("PARA_ENVIRONMENT", env["PARA_ENVIRONMENT"]?.toUpperCase(), ENVIRONMENTS, keyEnvironment ?? (apiKey ? "BETA" : "DEV"));
  if (keyEnvironment && keyEnvironment !== environment) {
    throw new ConfigError(`PARA_API_KEY: the key is for ${keyEnvironment} but PARA_ENVIRONMENT is ${environment}`);
  }
  const maxTimeoutMs = integer(env, "SIGNER_MAX_TIMEOUT_MS", 60_000, 100, 600_000);
  return {
    host: nonEmpty(env["HOST"]) ?? "127.0.0.1",
    port: integer(env, "PORT", 50051, 0, 65535),
    logLevel: oneOf("LOG_LEVEL", env["LOG_LEVEL"]?.toLowerCase(), LOG_LEVELS, "info"),
    semconvStabilityOptIn: env["OTEL_SEMCONV_STABILITY_OPT_IN"] ?? "",
    para: {
      apiKey,
      secretApiKey: nonEmpty(env["PARA_SECRET_API_KEY"]),
      environment,
      jwtAudience: nonEmpty(env["PARA_JWT_AUDIENCE"]),
      apiBaseUrl: PARA_API_BASE[environment],
    },
    limits: {
      maxSessionBytes: integer(env, "SIGNER_MAX_SESSION_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
      maxMessageBytes: integer(env, "SIGNER_MAX_MESSAGE_BYTES", 64 * 1024, 32, 16 * 1024 * 1024),
      maxWireBytes: integer(env, "SIGNER_MAX_WIRE_BYTES", 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
      defaultTimeoutMs: integer(env, "SIGNER_DEFAULT_TIMEOUT_MS", 30_000, 100, maxTimeoutMs),
      maxTimeoutMs,
      paraCallTimeoutMs: integer(env, "SIGNER_PARA_CALL_TIMEOUT_MS", 20_000, 50, 600_000),
      poolSize: integer(env, "SIGNER_POOL_SIZE", 32, 0, 1024),
      poolRefillConcurrency: integer(env, "SIGNER_POOL_REFILL_CONCURRENCY", 8, 1, 256),
    },
  };
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

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}: "${value}" is not one of ${allowed.join(", ")}`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}: "${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name}: ${value} is outside ${min}..${max}`);
  return value;
}
