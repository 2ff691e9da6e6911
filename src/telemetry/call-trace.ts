import { type ContextValues, createContextKey } from "@connectrpc/connect";
import { type Context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";

/**
 * A call's OpenTelemetry context (its SERVER span, the caller's trace and baggage), put in the call's context
 * values by the tracing interceptor: the service carries it explicitly rather than through an async context
 * (sync-context-manager.ts says why). Without the interceptor (a bare handler in a test), the root context.
 */
export const CALL_TRACE = createContextKey<Context>(ROOT_CONTEXT, { description: "the call's OpenTelemetry context" });

export function callTrace(values: ContextValues): Context {
  return values.get(CALL_TRACE);
}

/**
 * `ctx` if it carries a span (a call's, sampled or not), else `ctx` with tracing suppressed: Para work started
 * outside any call's context (a missed `context.with`, work that belongs to no call) then records no span, rather
 * than starting a trace of its own.
 */
export function withinSpanOrSuppressed(ctx: Context): Context {
  if (ctx === ROOT_CONTEXT) return SUPPRESSED_ROOT; // every operation's case with tracing off: no new context each time
  return trace.getSpan(ctx) ? ctx : suppressTracing(ctx);
}

const SUPPRESSED_ROOT = suppressTracing(ROOT_CONTEXT);
