// Signing: the real worker's `messages/sign` presign call, the emulator's MPC step that combines the shares, and
// the transaction-review polling endpoint (PARA_SDK §7.4, §7.5).
import { HttpError, str } from "./http-util.js";
import { decodeShare, signWithShares } from "./mpc-keys.js";
import { requireKey, requireSession } from "./routes-session.js";
import type { Route } from "./route.js";

export const signRoutes: Route[] = [
  {
    method: "POST", path: /^\/users\/([^/]+)\/wallets\/([^/]+)\/messages\/sign$/, name: "messagesSign",
    fault: "messagesSign", auth: "public",
    handle(ctx) {
      const [userId = "", walletId = ""] = ctx.params;
      const { session } = requireSession(ctx, userId);
      const wallet = ctx.backend.store.wallets.get(walletId);
      if (wallet === undefined || wallet.userId !== userId) throw new HttpError(404, { message: "wallet not found" });
      const message = str(ctx.body, "message");
      const protocolId = str(ctx.body, "protocolId");
      if (message === undefined || protocolId === undefined) {
        throw new HttpError(400, { message: "message and protocolId are required" });
      }
      const review = ctx.backend.signing.reviewFor(userId, walletId, message);
      if (review !== undefined) return { pendingTransactionId: review.id };
      ctx.backend.signing.register(protocolId, { walletId, sessionCookie: session.cookie, message });
      return {};
    },
  },
  {
    method: "POST", path: /^\/_local\/mpc\/sign$/, name: "mpcSign", fault: "mpcSign", auth: "public",
    handle(ctx) {
      const { store, signing, stats } = ctx.backend;
      const protocolId = str(ctx.body, "protocolId");
      const protocol = protocolId === undefined ? undefined : signing.take(protocolId);
      // No registered protocol: a share on its own signs nothing.
      if (protocol === undefined) throw new HttpError(403, { message: "unknown or expired protocol" });
      if (protocol.sessionCookie !== ctx.sid || store.activeSession(protocol.sessionCookie, undefined) === undefined) {
        throw new HttpError(403, { message: "session expired or not found" });
      }
      const message = str(ctx.body, "message");
      if (message !== protocol.message) throw new HttpError(400, { message: "message differs from the presigned one" });
      const wallet = store.wallets.get(protocol.walletId);
      const share = decodeShare(ctx.body["share"]);
      if (wallet === undefined || share === undefined || share.w !== wallet.id || share.scheme !== wallet.scheme) {
        throw new HttpError(403, { message: "share does not belong to this wallet" });
      }
      let signature: string;
      try {
        signature = signWithShares(wallet.scheme, share.share, wallet.serverShare, Buffer.from(message, "base64"));
      } catch (e) {
        throw new HttpError(400, { message: (e as Error).message });
      }
      stats.signatures++;
      return { signature };
    },
  },
  {
    method: "GET", path: /^\/users\/([^/]+)\/pending-transactions\/([^/]+)$/, name: "pendingTransaction", auth: "public",
    handle(ctx) {
      requireKey(ctx);
      const [userId, id = ""] = ctx.params;
      const ptx = ctx.backend.signing.pending.get(id);
      if (ptx === undefined || ptx.userId !== userId) throw new HttpError(404, { message: "pending transaction not found" });
      return { pendingTransaction: { id: ptx.id, approvedAt: ptx.approvedAt } };
    },
  },
];
