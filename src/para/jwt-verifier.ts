import type { ConnectError } from "@connectrpc/connect";
import { type Context, context } from "@opentelemetry/api";
import { type CryptoKey, errors, type FlattenedJWSInput, type JWSHeaderParameters, jwtVerify, type JWTPayload } from "jose";
import { jwksUnavailable, jwtAudienceNotConfigured, jwtExpired, jwtInvalid } from "../errors/error-model.js";
import { type Fetch, JwksCache, type JwksCachePolicy, type JwksStats, JwksUnavailable } from "./jwks-cache.js";

/**
 * Verifies Para JWTs locally with jose against Para's JWKS, held by a
 * JwksCache (stale-on-error, single-flight, cool-downs: see jwks-cache.ts),
 * so verification needs no Para round trip per call and keeps working for a
 * bounded time while Para's JWKS is unreachable.
 *
 * Verdicts: a token that fails to verify against keys known to be current is
 * UNAUTHENTICATED; when the keys cannot be had (Para's JWKS down, in its
 * cool-down, or answering nonsense) it is UNAVAILABLE with RetryInfo, since
 * the token may well be good: the caller should retry, not log the user out.
 */

export interface ParaJwtClaims {
  userId: string;
  authType: string;
  identifier: string;
  oAuthMethod: string;
  wallets: Array<{ id: string; type: string; address: string; publicKey: string }>;
  audience: string;
  expiresAt: Date;
  keyId: string;
}

export interface ParaJwtVerifierOptions {
  jwksUrl: string;
  /** The API key's id, which Para puts in `aud`; undefined refuses every JWT (FAILED_PRECONDITION). */
  audience: string | undefined;
  /** When set, `iss` must equal it. */
  issuer: string | undefined;
  /** Bound on one JWKS fetch. */
  timeoutMs: number;
  /** The traced fetch (`telemetry.fetchFor("jwks")`). */
  fetch: Fetch;
  policy?: Partial<JwksCachePolicy>;
  now?: () => number;
}

/** Asymmetric algorithms only: `none` and HMAC (e.g. HS256 keyed with a public key) are refused. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

export class ParaJwtVerifier {
  private readonly keys: JwksCache;
  private readonly audience: string | undefined;
  private readonly issuer: string | undefined;

  constructor(options: ParaJwtVerifierOptions) {
    this.audience = options.audience;
    this.issuer = options.issuer;
    this.keys = new JwksCache({
      url: options.jwksUrl,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Key-set fetches and failures so far; for metrics and tests. */
  stats(): JwksStats {
    return this.keys.stats();
  }

  /** Key-set fetches started so far (`stats().fetches`). */
  get jwksFetches(): number {
    return this.keys.stats().fetches;
  }

  /** `trace`: the call's context, under which a key-set fetch this verification starts is traced. */
  async verify(token: string, trace: Context = context.active()): Promise<ParaJwtClaims> {
    if (!this.audience) {
      throw jwtAudienceNotConfigured();
    }
    let payload: JWTPayload;
    let keyId = "";
    try {
      const result = await jwtVerify(token, (header, jws) => this.keyFor(header, jws, trace), {
        audience: this.audience,
        ...(this.issuer ? { issuer: this.issuer } : {}),
        algorithms: ALGORITHMS,
        requiredClaims: ["exp"],
      });
      payload = result.payload;
      keyId = result.protectedHeader.kid ?? "";
    } catch (error) {
      throw mapVerifyError(error);
    }
    return claimsOf(payload, keyId);
  }

  /**
   * The key for a token's header. jose asks only after the token parsed and
   * its algorithm passed the allow-list, so garbage never costs a fetch. A
   * kid missing from the cached set costs at most one refetch per cool-down,
   * shared by every concurrent caller.
   */
  private async keyFor(header: JWSHeaderParameters, jws: FlattenedJWSInput, trace: Context): Promise<CryptoKey> {
    // A fetch starts synchronously inside these, so it reads the call's context as it starts.
    const keys = await context.with(trace, () => this.keys.current());
    try {
      return await keys(header, jws);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const fresh = await context.with(trace, () => this.keys.refetchForUnknownKey());
      if (!fresh) throw error; // the set is current: the key is unknown to Para
      return fresh(header, jws);
    }
  }
}

function mapVerifyError(error: unknown): ConnectError {
  if (error instanceof JwksUnavailable) {
    // At least a second, so a caller honouring RetryInfo does not spin.
    return jwksUnavailable(Math.max(error.retryAfterMs, 1_000), error);
  }
  if (error instanceof errors.JWTExpired) return jwtExpired(error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    // Names the claim (aud, iss, nbf...), never its value.
    return jwtInvalid(claimName(error.claim), error);
  }
  if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSInvalid)) {
    return jwtInvalid(undefined, error);
  }
  // Not a jose verdict on the token: a key Para published could not be read.
  return jwksUnavailable(2_000, error);
}

/** The registered claim names jose reports; anything else is not named. */
function claimName(claim: string): string {
  return ["aud", "iss", "sub", "exp", "nbf", "iat", "jti", "typ"].includes(claim) ? claim : "claim";
}

function claimsOf(payload: JWTPayload, keyId: string): ParaJwtClaims {
  const data = (typeof payload["data"] === "object" && payload["data"] !== null ? payload["data"] : {}) as Record<string, unknown>;
  const wallets = Array.isArray(data["wallets"]) ? (data["wallets"] as unknown[]) : [];
  const userId = str(data["userId"]) || str(payload.sub);
  if (!userId) throw jwtInvalid();
  const audience = Array.isArray(payload.aud) ? (payload.aud[0] ?? "") : (payload.aud ?? "");
  return {
    userId,
    authType: str(data["authType"]),
    identifier: str(data["identifier"]),
    oAuthMethod: str(data["oAuthMethod"] ?? data["oauthMethod"]),
    wallets: wallets.flatMap((w) => {
      if (typeof w !== "object" || w === null) return [];
      const r = w as Record<string, unknown>;
      return [{ id: str(r["id"]), type: str(r["type"]), address: str(r["address"]), publicKey: str(r["publicKey"]) }];
    }),
    audience,
    expiresAt: new Date((payload.exp ?? 0) * 1000),
    keyId,
  };
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}
