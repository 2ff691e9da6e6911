import type * as http2 from "node:http2";
import type { LimitsConfig } from "../config/config.js";
import type { BodyBudget } from "./body-budget.js";
import { clampDeadline } from "./deadline-clamp.js";
import { meterRequestBody } from "./metered-body.js";
import type { RefusalRecorder } from "./refusals.js";
import type { RouteLimit } from "./request-limits.js";

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

export interface RequestGuardOptions {
  limits: Pick<LimitsConfig, "maxTimeoutMs" | "bodyReadTimeoutMs">;
  /** Request path → the route's limits; filled once Connect has registered the routes. */
  routes: ReadonlyMap<string, RouteLimit>;
  budget: BodyBudget;
  refusals: RefusalRecorder;
}

/**
 * The transport's bounds on one request, applied before Connect sees it: the
 * caller's deadline clamped to the cap, and the body metered (size per RPC,
 * the process's buffered bytes, read time). Paths that are no route are left
 * to Connect, which answers them without reading their body.
 */
export function withRequestGuards(handler: Handler, opts: RequestGuardOptions): Handler {
  return (req, res) => {
    const route = opts.routes.get(req.url?.split("?", 2)[0] ?? "");
    if (route) {
      const startedAt = performance.now();
      clampDeadline(req.headers, opts.limits.maxTimeoutMs, route.unary);
      // GET (Connect's idempotent calls) carries its message in the URL, within the header list limit.
      if (req.method === "POST") {
        meterRequestBody(req, {
          route,
          budget: opts.budget,
          timeoutMs: opts.limits.bodyReadTimeoutMs,
          onRefused: (reason, error) => opts.refusals.call(route, req.headers, startedAt, reason, error),
        });
      }
    }
    handler(req, res);
  };
}
