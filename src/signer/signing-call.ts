import { type DescMessage, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import type { IdempotencyStore } from "../idempotency/idempotency-store.js";
import { readIdempotencyKey } from "../idempotency/idempotency-key.js";
import { requestFingerprint } from "../idempotency/request-fingerprint.js";
import type { ActingPlan, ActingSession, ParaGateway } from "../para/para-gateway.js";
import type { ValidSession } from "../para/session-codec.js";
import { callTrace } from "../telemetry/call-trace.js";
import { ATTR_IDEMPOTENCY_REPLAYED } from "../telemetry/semconv.js";
import { callScopeOf } from "./call-scope-of.js";

export interface SigningCallDeps {
  gateway: ParaGateway;
  idempotency: IdempotencyStore;
}

/** A response that can carry the re-exported session (CheckSession's and SignMessage's both have `session`). */
type WithSession = { session: string };

/** The fields every signing request shares (docs/design.md §3): what this module reads, whatever the RPC. */
export type SigningRequestFields = { idempotencyKey: string; skipKeepAlive: boolean; returnSession: boolean; excludeSigners: boolean };

export interface SigningCall<Req extends DescMessage & { readonly typeName: string }, Res extends DescMessage> {
  /** The RPC's name, part of the idempotency fingerprint: one key on two RPCs is a reuse. */
  method: string;
  request: { schema: Req; message: MessageShape<Req> & SigningRequestFields };
  response: Res;
  session: ValidSession;
  /** The session's wallets the call will sign with (a signer refused a moment ago is refused before any Para work). */
  wallets: readonly string[];
  /** Signing jobs the call may run (keep-alive and the re-export come from the request's own fields). */
  signs: number;
  /** Whether a successful answer is remembered under its idempotency key (default: always). */
  remember?: (response: MessageShape<Res>) => boolean;
}

/** Carries an answer out of the idempotency store without the store remembering it. */
class NotRemembered extends Error {
  constructor(readonly response: unknown) {
    super("answered, not remembered");
  }
}

/**
 * The shape every signing RPC shares: the session confirmed with Para (gateway.act), then, at most once per
 * idempotency key (scoped to the Para-confirmed user), the keep-alive, the RPC's own signing work and the
 * re-exported session. A replay answers the stored response bytes, so it is byte-identical to the first; it still
 * needs the session to be active and Para to confirm the same user, since the key belongs to that user.
 */
export async function signingCall<Req extends DescMessage, Res extends DescMessage>(
  deps: SigningCallDeps,
  ctx: HandlerContext,
  call: SigningCall<Req, Res>,
  work: (acting: ActingSession) => Promise<MessageShape<Res>>,
): Promise<MessageShape<Res>> {
  // Before any Para work: a malformed key is the caller's error, like any other field.
  const key = readIdempotencyKey(call.request.message.idempotencyKey, ctx.requestHeader);
  // What changes no answer is left out, so a retry that differs only there is the same request: skip_keep_alive,
  // and the session string itself (the key is scoped to the Para-confirmed user, and a retry may carry the session
  // Para rotated meanwhile).
  const fingerprint =
    key === undefined ? undefined : requestFingerprint(call.method, call.request.schema, call.request.message, ["skip_keep_alive", "session"]);
  const { skipKeepAlive, returnSession, excludeSigners } = call.request.message;
  const plan: ActingPlan = { signs: call.signs, keepAlive: !skipKeepAlive };
  return deps.gateway.act(call.session, plan, callScopeOf(ctx), call.wallets, async (acting) => {
    // The re-exported session is added to every answer, a replay's too, and never stored with the key: the store
    // keeps no session (docs/design.md: the service never stores one), and a replay gets the session as it is now.
    const answer = async (response: MessageShape<Res>) => {
      if (returnSession) (response as MessageShape<Res> & WithSession).session = await acting.exportSession(excludeSigners);
      return response;
    };
    const fresh = async () => {
      if (plan.keepAlive) await acting.keepAlive();
      return work(acting);
    };
    if (key === undefined || fingerprint === undefined) return answer(await fresh());
    let ran = false;
    let bytes: Uint8Array;
    try {
      bytes = await deps.idempotency.run(acting.userId, key, fingerprint, ctx.signal, async () => {
        ran = true;
        const response = await fresh();
        // An answer that may change on a retry of the same request (a batch item waiting for review, or held) is
        // answered but not remembered, as a failed call is not.
        if (call.remember && !call.remember(response)) throw new NotRemembered(response);
        return toBinary(call.response, response);
      });
    } catch (error) {
      if (!(error instanceof NotRemembered)) throw error;
      // Our own answer; a duplicate that waited on it ran its own work instead (the store passes only definitive
      // refusals on to waiters).
      return answer(error.response as MessageShape<Res>);
    }
    trace.getSpan(callTrace(ctx.values))?.setAttribute(ATTR_IDEMPOTENCY_REPLAYED, !ran);
    return answer(fromBinary(call.response, bytes));
  });
}
