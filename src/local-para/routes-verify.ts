// Para's server-to-server REST endpoints, authenticated by the SECRET api key in x-external-api-key.
import { HttpError, str } from "./http-util.js";
import type { Route, RouteContext } from "./route.js";
import type { ApiKeyInfo } from "./types.js";

function requireSecret(ctx: RouteContext): ApiKeyInfo {
  if (ctx.key === undefined) throw new HttpError(401, { message: "invalid secret api key" });
  return ctx.key;
}

export const verifyRoutes: Route[] = [
  {
    method: "POST",
    path: /^\/sessions\/verify$/,
    name: "sessionsVerify",
    fault: "sessionsVerify",
    auth: "secret",
    handle(ctx) {
      const key = requireSecret(ctx);
      const token = str(ctx.body, "verificationToken");
      const store = ctx.backend.store;
      const s = token === undefined ? undefined : store.sessionsByToken.get(token);
      const owner = s === undefined ? undefined : store.keys.get(s.apiKey);
      // A token of another partner is as unknown as a made-up one.
      const live = s !== undefined && store.activeSession(s.cookie, undefined) !== undefined;
      const user = s === undefined ? undefined : store.users.get(s.userId);
      if (!live || owner?.partnerId !== key.partnerId || user === undefined) {
        throw new HttpError(403, { message: "session expired" });
      }
      return { authType: user.authType, identifier: user.identifier, userId: user.id };
    },
  },
  {
    method: "POST",
    path: /^\/wallets\/verify$/,
    name: "walletsVerify",
    fault: "walletsVerify",
    auth: "secret",
    handle(ctx) {
      const key = requireSecret(ctx);
      const address = str(ctx.body, "address");
      const wallet = address === undefined ? undefined : ctx.backend.store.walletByAddress(key.partnerId, address);
      if (wallet === undefined) throw new HttpError(404, { message: "wallet not found" });
      return { walletId: wallet.id };
    },
  },
];
