import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { internalError } from "../errors/error-model.js";
import { callTrace } from "./call-trace.js";
import { redactText } from "./console-guard.js";
import { isServerFault, statusName } from "./status-codes.js";

/**
 * One access-log line per call, and the last line of defence for error
 * messages: an error that is not a ConnectError (a bug, or an SDK error that
 * escaped the Para boundary) reaches the caller as a generic INTERNAL, never
 * with its own message, which could carry request or Para data. Log fields
 * are the method, the code, the duration and the trace ids; never a request
 * or response value.
 */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const fields = () => {
      const span = trace.getSpan(callTrace(req.contextValues))?.spanContext();
      return {
        rpc: `${req.service.typeName}/${req.method.name}`,
        protocol: req.header.get("content-type")?.split(";")[0] ?? "",
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      };
    };
    try {
      const res = await next(req);
      // Checked first: building the line costs a few µs, a visible share of a cheap call when info is off.
      if (logger.isLevelEnabled("info")) logger.info({ ...fields(), code: "ok" }, "call");
      return res;
    } catch (error) {
      const safe = error instanceof ConnectError ? error : internalError(undefined, error);
      const level = isServerFault(safe.code) ? "error" : "info";
      if (logger.isLevelEnabled(level)) {
        logger[level]({ ...fields(), code: statusName(safe.code).toLowerCase(), error: safe.rawMessage, cause: describeCause(safe.cause ?? error) }, "call");
      }
      throw safe;
    }
  };
}

/** The cause's class and a masked message: Para's error bodies and SDK messages may echo secrets. */
function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause instanceof ConnectError) return undefined;
  // The SDK's worker errors carry the job's parameters after "and opts" (wallet and user ids, the message or
  // transaction bytes): short values slip under the text masking, so that part is never logged at all.
  if (cause instanceof Error) return `${cause.name}: ${redactText(cause.message.replace(/ and opts [\s\S]*$/, " and opts […]")).slice(0, 200)}`;
  return typeof cause;
}
