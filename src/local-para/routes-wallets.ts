// The user's wallet list, as the SDK's fetchWallets() reads it (GET /users/{userId}/wallets?includePartnerData=true):
// answered only for the user the session cookie belongs to, so a rewritten session's userId gets 403 like Para's.
import { requireSession } from "./routes-session.js";
import type { Route } from "./route.js";

export const walletRoutes: Route[] = [
  {
    method: "GET",
    path: /^\/users\/([^/]+)\/wallets$/,
    name: "wallets",
    fault: "wallets",
    auth: "public",
    handle(ctx) {
      const { key, session } = requireSession(ctx, ctx.params[0]);
      const user = ctx.backend.store.users.get(session.userId);
      const includePartner = ctx.url.searchParams.get("includePartnerData") === "true";
      const now = new Date().toISOString();
      return {
        wallets: (user?.wallets ?? []).map((w) => ({
          id: w.id,
          type: w.type,
          scheme: w.scheme,
          address: w.address,
          publicKey: w.publicKey,
          userId: w.userId,
          // The SDK keeps only wallets whose shares are persisted and whose keygen finished.
          keyGenComplete: true,
          sharesPersisted: true,
          isPregen: false,
          partnerId: key.partnerId,
          ...(includePartner ? { partner: { id: key.partnerId, displayName: "Local Para" } } : {}),
          createdAt: now,
          updatedAt: now,
        })),
      };
    },
  },
];
