// Signing: the real worker's `messages/sign` and `transactions/sign` presign calls, the emulator's MPC step that combines the shares, and
// the transaction-review polling endpoint (docs/para-sdk.md §7.4, §7.5).
import { HttpError, str } from "./http-util.js";
import { decodeShare, signWithShares } from "./mpc-keys.js";
import { requireKey, requireSession } from "./routes-session.js";
import type { Route, RouteContext } from "./route.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { parseTransaction, serializeTransaction, toHex, type TransactionSerializable } from "viem";

/**
 * A wallet a policy denies: answered as Para does (the best reading of its behaviour; its policy engine is not
 * public): HTTP 403 with a JSON body naming the code and the rule. The real worker leaves that rejection unhandled,
 * which crashes the worker thread (docs/para-sdk.md §7.6); the substitute worker does the same, with Para's body in the
 * crash message.
 */
function refuseIfDenied(ctx: RouteContext, walletId: string): void {
  const deniedBy = ctx.backend.signing.deniedBy(walletId);
  if (deniedBy !== undefined) {
    throw new HttpError(403, { message: "the request was denied by a policy", code: "POLICY_DENIED", deniedBy });
  }
}

/** The presign step shared by messages/sign and transactions/sign: session, wallet, policy, review, protocol. */
function presign(ctx: RouteContext, kind: "message" | "transaction", payload: string | undefined): Record<string, unknown> {
  const [userId = "", walletId = ""] = ctx.params;
  const { session } = requireSession(ctx, userId);
  const wallet = ctx.backend.store.wallets.get(walletId);
  if (wallet === undefined || wallet.userId !== userId) throw new HttpError(404, { message: "wallet not found" });
  const protocolId = str(ctx.body, "protocolId");
  if (payload === undefined || protocolId === undefined) {
    throw new HttpError(400, { message: `${kind} and protocolId are required` });
  }
  refuseIfDenied(ctx, walletId);
  const review = ctx.backend.signing.reviewFor(userId, walletId, payload);
  if (review !== undefined) return { pendingTransactionId: review.id };
  // Bound to the cookie as sent (not the session's current one): after a rotation the worker may still present the
  // old cookie during its grace, and its MPC step then sends that same cookie (docs/para-sdk.md §1 "Session rotation").
  ctx.backend.signing.register(protocolId, { walletId, sessionCookie: ctx.sid ?? session.cookie, kind, message: payload });
  return {};
}

/**
 * A transaction as the worker sends it, unsigned: a legacy EIP-155 serialization, or a typed envelope with or
 * without an empty signature (Para's viem integration sends `{ r: "0x", s: "0x", v: 0 }`). Returns the transaction
 * and its unsigned serialization (the signing payload), or undefined when it does not parse or carries a real
 * signature.
 */
function unsignedTransaction(bytes: Uint8Array): { tx: TransactionSerializable; unsigned: Uint8Array } | undefined {
  let parsed: TransactionSerializable & { r?: string; s?: string; v?: bigint; yParity?: number };
  try {
    parsed = parseTransaction(toHex(bytes)) as typeof parsed;
  } catch {
    return undefined;
  }
  const { r, s, v: _v, yParity, ...tx } = parsed;
  const empty = (x: string | undefined) => x === undefined || /^0x0*$/.test(x);
  if (!empty(r) || !empty(s) || (yParity !== undefined && yParity !== 0)) return undefined;
  try {
    return { tx: tx as TransactionSerializable, unsigned: Buffer.from(serializeTransaction(tx as TransactionSerializable).slice(2), "hex") };
  } catch {
    return undefined;
  }
}

export const signRoutes: Route[] = [
  {
    method: "POST",
    path: /^\/users\/([^/]+)\/wallets\/([^/]+)\/messages\/sign$/,
    name: "messagesSign",
    fault: "messagesSign",
    auth: "public",
    handle: (ctx) => presign(ctx, "message", str(ctx.body, "message")),
  },
  {
    // What the SDK's worker calls for SIGN_TRANSACTION: {transaction (base64 of the serialized unsigned EVM
    // transaction), chainId (decimal string), protocolId}. Like Para, it reads the transaction (to apply policies)
    // and refuses one that does not parse or names another chain.
    method: "POST",
    path: /^\/users\/([^/]+)\/wallets\/([^/]+)\/transactions\/sign$/,
    name: "transactionsSign",
    fault: "transactionsSign",
    auth: "public",
    handle(ctx) {
      const transaction = str(ctx.body, "transaction");
      const chainId = str(ctx.body, "chainId");
      if (transaction !== undefined) {
        const parsed = unsignedTransaction(Buffer.from(transaction, "base64"));
        if (parsed === undefined) throw new HttpError(400, { message: "transaction does not parse, or is signed" });
        if (chainId === undefined || String(parsed.tx.chainId) !== chainId) throw new HttpError(400, { message: "chainId does not match the transaction" });
      }
      return presign(ctx, "transaction", transaction);
    },
  },
  {
    method: "POST",
    path: /^\/_local\/mpc\/sign$/,
    name: "mpcSign",
    fault: "mpcSign",
    auth: "public",
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
        // A transaction protocol signs the transaction's signing hash: keccak-256 of its unsigned serialization.
        const bytes = Buffer.from(message, "base64");
        const tx = protocol.kind === "transaction" ? unsignedTransaction(bytes) : undefined;
        if (protocol.kind === "transaction" && tx === undefined) throw new Error("transaction does not parse");
        const signed = tx ? keccak_256(tx.unsigned) : bytes;
        signature = signWithShares(wallet.scheme, share.share, wallet.serverShare, signed);
      } catch (e) {
        throw new HttpError(400, { message: (e as Error).message });
      }
      stats.signatures++;
      return { signature };
    },
  },
  {
    method: "GET",
    path: /^\/users\/([^/]+)\/pending-transactions\/([^/]+)$/,
    name: "pendingTransaction",
    auth: "public",
    handle(ctx) {
      requireKey(ctx);
      const [userId, id = ""] = ctx.params;
      const ptx = ctx.backend.signing.pending.get(id);
      // A denied transaction answers like an unknown one: Para's portal denies by deleting the pending transaction
      // (the SDK's client has `deletePendingTransaction`, DELETE /users/{userId}/pending-transactions/{id}), so the
      // next poll finds nothing, a 404. The SDK turns any non-200 here into TransactionReviewDenied (docs/para-sdk.md §7.5).
      if (ptx === undefined || ptx.userId !== userId || ptx.deniedAt !== null) throw new HttpError(404, { message: "pending transaction not found" });
      return { pendingTransaction: { id: ptx.id, approvedAt: ptx.approvedAt } };
    },
  },
];
