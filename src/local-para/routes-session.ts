// Session-facing Para endpoints the SDK calls on construction, import and session checks (docs/para-sdk.md §2, §4, §5, §8, §10).
import { HttpError } from "./http-util.js";
import type { Route, RouteContext } from "./route.js";
import type { ApiKeyInfo } from "./types.js";

// The touch response must echo the partner's values byte-for-byte, or the SDK refetches the partner on every
// touch (docs/para-sdk.md §4 "Partner refresh rule"); one constant feeds both.
const SUPPORTED_WALLET_TYPES = [
  { type: "EVM", optional: false },
  { type: "SOLANA", optional: true },
] as const;
const COSMOS_PREFIX = "cosmos";

function requireKey(ctx: RouteContext): ApiKeyInfo {
  if (ctx.key === undefined) throw new HttpError(403, { message: "invalid api key" });
  return ctx.key;
}

function requireSession(ctx: RouteContext, userId?: string) {
  const key = requireKey(ctx);
  const s = ctx.backend.store.activeSession(ctx.sid, key.apiKey);
  if (s === undefined || (userId !== undefined && s.userId !== userId)) {
    throw new HttpError(403, { message: "session expired or not found" });
  }
  return { key, session: s };
}

export const sessionRoutes: Route[] = [
  {
    method: "POST",
    path: /^\/touch$/,
    name: "touch",
    fault: "touch",
    auth: "public",
    handle(ctx) {
      const key = requireKey(ctx);
      const base = { partnerId: key.partnerId, supportedWalletTypes: SUPPORTED_WALLET_TYPES, cosmosPrefix: COSMOS_PREFIX };
      const s = ctx.backend.store.activeSession(ctx.sid, key.apiKey);
      if (s === undefined) return { isAuthenticated: false, ...base };
      // No currentWalletIds: it would overwrite the imported selection (docs/para-sdk.md §4).
      return { isAuthenticated: true, ...base, userId: s.userId, sessionLookupId: s.verificationToken, sessionId: s.sessionId };
    },
  },
  {
    method: "GET",
    path: /^\/partners\/([^/]+)$/,
    name: "partner",
    fault: "partner",
    auth: "public",
    handle(ctx) {
      requireKey(ctx);
      const id = ctx.params[0];
      const known = [...ctx.backend.store.keys.values()].some((k) => k.partnerId === id);
      if (!known) throw new HttpError(404, { message: "partner not found" });
      return {
        partner: {
          id,
          displayName: "Local Para",
          supportedWalletTypes: SUPPORTED_WALLET_TYPES,
          cosmosPrefix: COSMOS_PREFIX,
          portalUrl: ctx.backend.portalUrl,
        },
      };
    },
  },
  { method: "GET", path: /^\/logout$/, name: "logout", fault: "logout", auth: "public", handle: () => ({}) },
  {
    method: "POST",
    path: /^\/users\/([^/]+)\/session\/keep-alive$/,
    name: "keepAlive",
    fault: "keepAlive",
    auth: "public",
    handle(ctx) {
      const { key, session } = requireSession(ctx, ctx.params[0]);
      session.expiresAt = Date.now() + key.sessionLengthMs;
      // Para may rotate the session here: the new cookie travels in the x-capsule-sid RESPONSE header, which the
      // SDK's client stores and sends from then on, and exportSession reports (docs/para-sdk.md §1 "Session rotation", §9).
      const graceMs = ctx.backend.store.rotationGrace(session);
      if (graceMs !== undefined) ctx.res.setHeader("x-capsule-sid", ctx.backend.store.rotate(session, graceMs));
      return {};
    },
  },
  {
    method: "POST",
    path: /^\/auth\/jwt$/,
    name: "jwt",
    fault: "jwt",
    auth: "public",
    async handle(ctx) {
      const { key, session } = requireSession(ctx);
      const user = ctx.backend.store.users.get(session.userId);
      if (user === undefined) throw new HttpError(403, { message: "user not found" });
      const token = await ctx.backend.jwt.issue(user, session, key.apiKeyId);
      return { token, keyId: ctx.backend.jwt.kid };
    },
  },
  {
    method: "GET",
    path: /^\/\.well-known\/jwks\.json$/,
    name: "jwks",
    fault: "jwks",
    auth: "none",
    handle: (ctx) => ctx.backend.jwt.jwks,
  },
  // Telemetry of failed SDK calls: accepted and dropped (its body may describe user data).
  { method: "POST", path: /^\/errors\/sdk$/, name: "errorsSdk", fault: "errorsSdk", auth: "none", handle: () => ({}) },
  {
    method: "GET",
    path: /^\/users\/supported-auth-methods\/v2$/,
    name: "supportedAuthMethods",
    auth: "none",
    handle: () => ({ supportedAuthMethods: [], hasPasswordWithoutPIN: false }),
  },
];

export { requireKey, requireSession };
