import { setMaxListeners } from "node:events";
import { create } from "@bufbuild/protobuf";
import { Code, type HandlerContext } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import {
  type SignMessageResponse,
  SignMessageResponseSchema,
  type SignMessagesRequest,
  SignMessagesRequestSchema,
  type SignMessagesResponse,
  SignMessagesResponseSchema,
  SignMessagesResultSchema,
} from "../../gen/para/signer/v1/signer_service_pb.js";
import type { LimitsConfig } from "../config/config.js";
import type { Signed } from "../para/para-gateway.js";
import { callTrace } from "../telemetry/call-trace.js";
import { ATTR_BATCH_ITEMS, ATTR_PARA_MESSAGE_LENGTH, ATTR_PARA_SIGN_KIND } from "../telemetry/semconv.js";
import { walletTypeToProto } from "./proto-mapping.js";
import { inOrder } from "./in-order.js";
import { failsTheCall, toRpcStatus } from "./rpc-status.js";
import { encodeSignature } from "./signature-encoding.js";
import { type SigningCallDeps, signingCall } from "./signing-call.js";
import type { RequestLimits } from "./validation/request-limits.js";
import type { ValidMessageToSign } from "./validation/sign-message.js";
import { validateSignMessagesRequest } from "./validation/sign-messages.js";

export interface SignMessagesDeps extends SigningCallDeps {
  limits: Pick<RequestLimits, "maxSessionBytes" | "maxMessageBytes" | "maxBatchItems" | "maxBatchMessageBytes"> & Pick<LimitsConfig, "batchConcurrency">;
}

/**
 * SignMessages: every item under one session import, one active check, one identity confirmation and one
 * keep-alive (Para requests: 2 N + 9 with the SDK construction, against about 9 N for N SignMessage calls: bench/results/batch.md). Items are signed
 * on the call's instance at most SIGNER_BATCH_CONCURRENCY at a time (4), so a batch holds at most that many jobs
 * on the shared signing worker and other callers' jobs interleave with it; answers keep the items' order. An item's own failure (invalid, no such wallet, review, refusal, policy) is its result; a
 * failure of Para or of the call (unavailable, budget, deadline) fails the call, since the items after it would
 * fail the same way.
 */
export async function signMessages(deps: SignMessagesDeps, req: SignMessagesRequest, ctx: HandlerContext): Promise<SignMessagesResponse> {
  const { session, items } = validateSignMessagesRequest(req, deps.limits);
  // Every item signing at once waits on the call's signal in a few places (its SDK call's bound, the worker's
  // queue): by design, so allow that many listeners rather than let Node warn of a leak.
  setMaxListeners(16 + 8 * deps.limits.batchConcurrency, ctx.signal);
  trace.getSpan(callTrace(ctx.values))?.setAttribute(ATTR_BATCH_ITEMS, items.length);
  const errorResult = (error: Parameters<typeof toRpcStatus>[0]) => create(SignMessagesResultSchema, { result: { case: "error", value: toRpcStatus(error) } });
  const signable = items.filter((v) => v.ok).length;
  return signingCall(
    deps,
    ctx,
    {
      method: "SignMessages",
      request: { schema: SignMessagesRequestSchema, message: req },
      response: SignMessagesResponseSchema,
      session,
      // Signers held after a refusal are refused per item (acting.sign), not for the whole batch.
      wallets: [],
      signs: signable,
      // Remembered under an idempotency key only when every item's answer is final for this request: an item
      // waiting for review, held after a refusal or denied by a policy may sign when the same batch is sent again.
      remember: (response) => response.results.every((r) => r.result.case !== "error" || FINAL_ITEM_CODES.has(r.result.value.code)),
    },
    async (acting) => {
      const signOne = async (validated: (typeof items)[number]) => {
        if (!validated.ok) return errorResult(validated.error);
        const { item, messageLength } = validated;
        try {
          const signed = await acting.sign({
            walletId: item.wallet.id,
            walletType: item.wallet.type,
            payload: { kind: "message", messageBase64: Buffer.from(item.bytes).toString("base64") },
            attributes: { [ATTR_PARA_SIGN_KIND]: "message", [ATTR_PARA_MESSAGE_LENGTH]: messageLength },
          });
          return create(SignMessagesResultSchema, { result: { case: "signature", value: signMessageResponse(item, signed) } });
        } catch (error) {
          if (failsTheCall(error)) throw error;
          return errorResult(error as Parameters<typeof toRpcStatus>[0]);
        }
      };
      return create(SignMessagesResponseSchema, { results: await inOrder(items, deps.limits.batchConcurrency, signOne) });
    },
  );
}

/** Item failures that the same request will always meet again: the request's own fields, or a wallet the session lacks. */
const FINAL_ITEM_CODES: ReadonlySet<number> = new Set([Code.InvalidArgument, Code.NotFound]);

/** SignMessage's answer: the signature as chains write it, and the wallet as Para lists it (never the session's words). */
export function signMessageResponse(item: Pick<ValidMessageToSign, "wallet">, signed: Signed): SignMessageResponse {
  const signature = encodeSignature(item.wallet.type, signed.signature);
  return create(SignMessageResponseSchema, {
    walletId: signed.wallet.id,
    walletType: walletTypeToProto(signed.wallet.type),
    address: signed.wallet.address,
    signature: signature.bytes,
    encodedSignature: signature.encoded,
  });
}
