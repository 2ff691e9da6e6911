// The /_local/ admin API: the in-process API over HTTP, for tests in other processes and for the CLI.
// Loopback only, unauthenticated by design: it mints sessions for a fake Para.
import { BadRequest, Conflict, type Backend } from "./backend.js";
import { HttpError, str } from "./http-util.js";
import type { FaultSpec, MintOptions, RequestCountsFilter, SessionRotationSpec } from "./types.js";

type AdminHandler = (backend: Backend, body: Record<string, unknown>, url: URL) => unknown;

function requireStr(body: Record<string, unknown>, key: string): string {
  const v = str(body, key);
  if (v === undefined) throw new BadRequest(`${key} is required`);
  return v;
}

// Only well-typed fields pass: a stray non-string must not become a user's email.
function mintOptions(body: Record<string, unknown>): MintOptions {
  const opts: MintOptions = { excludeSigners: body["excludeSigners"] === true };
  for (const k of ["apiKey", "email", "phone", "userId"] as const) {
    const v = str(body, k);
    if (v !== undefined) opts[k] = v;
  }
  return opts;
}

/** The one named field that is given (which session, user or key an admin call is about); none or several is a bad request. */
function exactlyOne<K extends string>(source: (k: K) => string | undefined, keys: readonly K[]): { key: K; value: string } {
  const given = keys.flatMap((key) => {
    const value = source(key);
    return value === undefined ? [] : [{ key, value }];
  });
  const [only] = given;
  if (only === undefined || given.length > 1) throw new BadRequest(`give exactly one of ${keys.join(", ")}`);
  return only;
}

function rotationSpec(body: Record<string, unknown>): SessionRotationSpec {
  if (typeof body["enabled"] !== "boolean") throw new BadRequest("enabled must be a boolean");
  const graceMs = body["graceMs"];
  if (graceMs !== undefined && typeof graceMs !== "number") throw new BadRequest("graceMs must be a number");
  const who = exactlyOne((k) => str(body, k), ["sessionCookie", "userId"] as const);
  const target = who.key === "sessionCookie" ? { sessionCookie: who.value } : { userId: who.value };
  return { ...target, enabled: body["enabled"], ...(graceMs !== undefined ? { graceMs } : {}) };
}

function countsFilter(url: URL): RequestCountsFilter {
  const who = exactlyOne((k) => url.searchParams.get(k) || undefined, ["apiKey", "userId", "sessionCookie"] as const);
  return who.key === "apiKey" ? { apiKey: who.value } : who.key === "userId" ? { userId: who.value } : { sessionCookie: who.value };
}

const handlers: Record<string, AdminHandler> = {
  "GET /_local/health": () => ({ ok: true }),
  "GET /_local/stats": (b) => b.snapshot(),
  // ?userId=U | ?sessionCookie=C | ?apiKey=K: that one's requests per endpoint, isolated from parallel test files.
  "GET /_local/stats/requests": (b, _body, url) => b.requestCounts(countsFilter(url)),
  "POST /_local/api-keys": (b, body) => b.createApiKey(typeof body["sessionLengthMs"] === "number" ? { sessionLengthMs: body["sessionLengthMs"] } : {}),
  "POST /_local/sessions": (b, body) => b.mintSession(mintOptions(body)),
  "POST /_local/sessions/revoke": (b, body) => (b.revokeSession(requireStr(body, "sessionCookie")), {}),
  "POST /_local/sessions/expire": (b, body) => (b.expireSession(requireStr(body, "sessionCookie")), {}),
  // { sessionCookie | userId, enabled, graceMs? }: keep-alive answers with a new cookie in x-capsule-sid.
  "POST /_local/sessions/rotate-on-keep-alive": (b, body) => (b.setSessionRotation(rotationSpec(body)), {}),
  "POST /_local/faults": (b, body) => ({ id: b.addFault(body as unknown as FaultSpec) }),
  "DELETE /_local/faults": (b, _body, url) => (b.clearFaults(url.searchParams.get("apiKey") ?? undefined), {}),
  "POST /_local/wallets/review": (b, body) => {
    if (typeof body["required"] !== "boolean") throw new BadRequest("required must be a boolean");
    b.setTransactionReview(requireStr(body, "walletId"), body["required"]);
    return {};
  },
  // { walletId, deny: boolean, deniedBy?: string }: a policy denies (or stops denying) the wallet's signing.
  "POST /_local/wallets/policy": (b, body) => {
    if (typeof body["deny"] !== "boolean") throw new BadRequest("deny must be a boolean");
    const deniedBy = str(body, "deniedBy");
    if (deniedBy !== undefined && !/^[A-Za-z0-9_.:-]{1,128}$/.test(deniedBy)) throw new BadRequest("deniedBy must be a plain identifier");
    b.setPolicyDenial(requireStr(body, "walletId"), body["deny"], deniedBy);
    return {};
  },
  "GET /_local/pending-transactions": (b, _body, url) => {
    const userId = url.searchParams.get("userId");
    if (userId === null || userId === "") throw new BadRequest("userId is required");
    return { pendingTransactions: b.pendingTransactions(userId) };
  },
  "POST /_local/pending-transactions/approve": (b, body) => (b.approvePendingTransaction(requireStr(body, "id")), {}),
  "POST /_local/pending-transactions/deny": (b, body) => (b.denyPendingTransaction(requireStr(body, "id")), {}),
};

/** Returns the admin response body, or undefined when the path is not an admin route. */
export function adminHandler(method: string, url: URL): AdminHandler | undefined {
  return handlers[`${method} ${url.pathname}`];
}

export function runAdmin(handler: AdminHandler, backend: Backend, body: Record<string, unknown>, url: URL): unknown {
  try {
    return handler(backend, body, url);
  } catch (e) {
    if (e instanceof BadRequest) throw new HttpError(400, { message: e.message });
    if (e instanceof Conflict) throw new HttpError(409, { message: e.message });
    throw e;
  }
}
