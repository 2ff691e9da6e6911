import { type ContextValues, createContextKey } from "@connectrpc/connect";
import { type Context, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * A call's OpenTelemetry context (its SERVER span, the caller's trace and baggage), put in the call's context
 * values by the tracing interceptor: the service carries it explicitly rather than through an async context
 * (sync-context-manager.ts says why). Without the interceptor (a bare handler in a test), the root context.
 */
export const CALL_TRACE = createContextKey<Context>(ROOT_CONTEXT, { description: "the call's OpenTelemetry context" });

export function callTrace(values: ContextValues): Context {
  return values.get(CALL_TRACE);
}
