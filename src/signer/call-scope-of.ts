import type { HandlerContext } from "@connectrpc/connect";
import type { CallScope } from "../para/call-scope.js";
import { callTrace } from "../telemetry/call-trace.js";

/** What a handler hands the Para boundary for its call: the call's signal and its trace context. */
export function callScopeOf(ctx: HandlerContext): CallScope {
  return { signal: ctx.signal, trace: callTrace(ctx.values) };
}
