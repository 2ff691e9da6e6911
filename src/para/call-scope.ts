import type { Context } from "@opentelemetry/api";

/**
 * What a call brings to the Para boundary: its cancellation (the caller's deadline or disconnect) and its trace
 * context, under which the boundary's spans and Para round trips are recorded. Handed down explicitly, step by
 * step: no context crosses an `await` on its own (telemetry/sync-context-manager.ts).
 */
export interface CallScope {
  readonly signal: AbortSignal;
  readonly trace: Context;
}
