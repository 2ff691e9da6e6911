// The emulator's JWT issuer: an RS256 key generated at start (never persisted), tokens shaped like Para's and the
// public half served as a JWKS, so callers verify exactly as they would against Para.
import { randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { JWT_ISSUER } from "./constants.js";
import type { Session, User } from "./store.js";

export interface JwtIssuer {
  readonly kid: string;
  readonly jwks: { keys: JWK[] };
  issue(user: User, session: Session, audience: string): Promise<string>;
}

export async function createJwtIssuer(): Promise<JwtIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = `local-para-${randomBytes(6).toString("hex")}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const key: CryptoKey = privateKey;
  return {
    kid,
    jwks: { keys: [jwk] },
    async issue(user, session, audience) {
      const data = {
        userId: user.id,
        wallets: user.wallets.map((w) => ({ id: w.id, type: w.type, address: w.address, publicKey: w.publicKey })),
        authType: user.authType,
        identifier: user.identifier,
        ...(user.email !== undefined ? { email: user.email } : {}),
        ...(user.phone !== undefined ? { phone: user.phone } : {}),
      };
      return (
        new SignJWT({ data })
          .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
          .setSubject(user.id)
          .setAudience(audience)
          .setIssuer(JWT_ISSUER)
          .setIssuedAt()
          // The token lives exactly as long as the session that issued it.
          .setExpirationTime(Math.floor(session.expiresAt / 1000))
          .sign(key)
      );
    },
  };
}
