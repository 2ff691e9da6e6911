import { Code, ConnectError } from "@connectrpc/connect";
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import { retryable, withReason } from "../errors.js";
import type { ParaTelemetry } from "../telemetry/para-telemetry.js";

/**
 * Verifies Para JWTs locally with jose against Para's JWKS. The key set is
 * fetched once and cached; an unknown `kid` triggers a refetch (rate-limited
 * by jose's cooldown), so verification needs no Para round trip per call.
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

/** Asymmetric algorithms only: `none` and HMAC (e.g. HS256 keyed with a public key) are refused. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

export class ParaJwtVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  /** Key-set downloads so far; for metrics and tests. */
  jwksFetches = 0;

  constructor(
    jwksUrl: string,
    private readonly audience: string | undefined,
    timeoutMs: number,
    telemetry: ParaTelemetry,
  ) {
    const tracedFetch = telemetry.fetchFor("jwks");
    this.jwks = createRemoteJWKSet(new URL(jwksUrl), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      [customFetch]: (url, init) => {
        this.jwksFetches++;
        return tracedFetch(url, init);
      },
    });
  }

  async verify(token: string): Promise<ParaJwtClaims> {
    if (!this.audience) {
      throw withReason(Code.FailedPrecondition, "PARA_JWT_AUDIENCE is not configured on this server", "JWT_AUDIENCE_NOT_CONFIGURED");
    }
    let payload: JWTPayload;
    let keyId = "";
    try {
      const result = await jwtVerify(token, this.jwks, { audience: this.audience, algorithms: ALGORITHMS, requiredClaims: ["exp"] });
      payload = result.payload;
      keyId = result.protectedHeader.kid ?? "";
    } catch (error) {
      throw mapJoseError(error);
    }
    return claimsOf(payload, keyId);
  }
}

function mapJoseError(error: unknown): ConnectError {
  if (error instanceof errors.JWTExpired) return new ConnectError("jwt expired", Code.Unauthenticated, undefined, undefined, error);
  if (error instanceof errors.JWKSTimeout) return new ConnectError("para jwks fetch timed out", Code.Unavailable, undefined, undefined, error);
  if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSInvalid)) {
    return new ConnectError("jwt invalid", Code.Unauthenticated, undefined, undefined, error);
  }
  // Not a jose verdict on the token: the key set could not be fetched or read.
  return retryable(Code.Unavailable, "para jwks unavailable", "PARA_UNAVAILABLE", 2_000, error);
}

function claimsOf(payload: JWTPayload, keyId: string): ParaJwtClaims {
  const data = (typeof payload["data"] === "object" && payload["data"] !== null ? payload["data"] : {}) as Record<string, unknown>;
  const wallets = Array.isArray(data["wallets"]) ? (data["wallets"] as unknown[]) : [];
  const userId = str(data["userId"]) || str(payload.sub);
  if (!userId) throw new ConnectError("jwt invalid", Code.Unauthenticated);
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
