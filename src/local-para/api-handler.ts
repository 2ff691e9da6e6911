// Request handler of the API port: admin routes under /_local/, then the emulated Para endpoints. Uniform order
// for Para endpoints: resolve key → count → faults → body → handler → 200 JSON (the SDK accepts only 200).
import type { IncomingMessage, ServerResponse } from "node:http";
import { adminHandler, runAdmin } from "./admin-routes.js";
import type { Backend } from "./backend.js";
import { HttpError, header, readJson, sendJson } from "./http-util.js";
import type { Route } from "./route.js";
import type { RequestOwner } from "./stats.js";
import { sessionRoutes } from "./routes-session.js";
import { signRoutes } from "./routes-sign.js";
import { verifyRoutes } from "./routes-verify.js";
import { walletRoutes } from "./routes-wallets.js";

const routes: Route[] = [...sessionRoutes, ...walletRoutes, ...verifyRoutes, ...signRoutes];

function match(method: string, pathname: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.path.exec(pathname);
    if (m !== null) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}

/**
 * Whom a request is counted for besides its key: the user of its session cookie (live or not: a refused request
 * still counts), else the known user its path names. A cookie is counted only when it is one the backend issued,
 * so made-up ones do not grow the counters.
 */
function requestOwner(backend: Backend, sid: string | undefined, pathUser: string | undefined): RequestOwner {
  const session = sid === undefined ? undefined : backend.store.sessions.get(sid);
  if (session !== undefined) return { userId: session.userId, sessionCookie: sid };
  return pathUser !== undefined && backend.store.users.has(pathUser) ? { userId: pathUser } : {};
}

async function handle(backend: Backend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://localhost");
  const admin = adminHandler(method, url);
  if (admin !== undefined) {
    sendJson(res, 200, runAdmin(admin, backend, await readJson(req), url));
    return;
  }
  const found = match(method, url.pathname);
  if (found === undefined) throw new HttpError(404, { message: `no route for ${method} ${url.pathname}` });
  const { route, params } = found;
  const rawKey = header(req, "x-external-api-key");
  const key =
    rawKey === undefined
      ? undefined
      : route.auth === "public"
        ? backend.store.keys.get(rawKey)
        : route.auth === "secret"
          ? backend.store.keysBySecret.get(rawKey)
          : undefined;
  // Verify endpoints carry the secret; they are counted and fault-scoped under the public key it belongs to,
  // and the secret itself is never used as a map key in stats.
  const scopeKey = route.auth === "secret" ? key?.apiKey : rawKey;
  const sid = header(req, "x-capsule-sid");
  const pathUser = url.pathname.startsWith("/users/") ? params[0] : undefined;
  backend.stats.count(route.name, scopeKey, requestOwner(backend, sid, pathUser));
  if (route.fault !== undefined) {
    const outcome = await backend.faults.apply(route.fault, scopeKey, res, pathUser);
    if (outcome === "handled") return;
    if (outcome === "crashWorker") {
      sendJson(res, 200, { crashWorker: true });
      return;
    }
  }
  const body = method === "POST" ? await readJson(req) : {};
  const result = await route.handle({ req, res, backend, url, params, key, sid, body });
  sendJson(res, 200, result);
}

export function apiHandler(backend: Backend) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(backend, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) sendJson(res, e.status, e.body);
      // Unexpected: say nothing specific (the request may have carried secrets) but never hang the SDK.
      else {
        if (process.env["LOCAL_PARA_DEBUG"] !== undefined) console.error("local Para: internal error:", (e as Error).message);
        sendJson(res, 500, { message: "local Para: internal error" });
      }
    });
  };
}
