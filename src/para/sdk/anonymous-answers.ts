import { createHash } from "node:crypto";
import { createRequire } from "node:module";

/**
 * Para's answers to the requests every fresh SDK instance sends before it holds any session (docs/para-sdk.md §2.2):
 * three `POST /touch` and a `GET /logout` with no session header, and `GET /partners/{id}`. They say who the partner
 * is and that nobody is logged in, so they are the same for every instance built with the same API key; sending
 * them for each call's fresh instance costs five of a call's six or seven round trips to Para (its rate budget, and
 * CPU on both sides), for nothing a caller needs.
 *
 * So an answer to one of these, from Para, is kept for a short while (`ttlMs`) and handed to the next instances'
 * identical requests instead of sending them again. One store serves a module graph (one per SDK thread). What keeps
 * this safe:
 * - Only requests that carry no session (no `x-capsule-sid`, decided after the SDK's own request transforms have
 *   added it) and no body, to the three construction endpoints; everything a call does with its session still goes
 *   to Para.
 * - Only answers with status 200, no session header (`x-capsule-sid`, which the SDK would adopt) and the shape
 *   their request should get (a touch naming the partner, nobody authenticated and no user; the partner asked for;
 *   a logout's body is not read): if Para ever tied a session to an anonymous request, or a gateway answered for it,
 *   nothing would be kept. Of an answer's headers only its content type is kept (cookies mean nothing to the SDK in
 *   Node, which keeps no cookie jar, docs/para-sdk.md §1).
 * - The raw body is kept, so every instance parses its own copy: instances share no objects.
 * - Keyed by everything that could change the answer: method, URL and the identity headers (API key, partner,
 *   partner config override, SDK version), hashed so the key holds no API key.
 * - A failed answer is never kept and drops the kept one. Any request of any instance of this module graph (this
 *   SDK thread; the others notice on their own requests, or when `ttlMs` ends) that gets no answer or a 5xx drops
 *   them all: Para is unwell, so constructions go to it again, fail, and the pool backs off as it would without this
 *   store (its constructions double as the probe that notices recovery). So does an instance built on kept answers
 *   that fails to settle. A 429 drops nothing (Para is up, and asking it more would not help), nor does a session's
 *   own refusal (401, 403): a caller with a stale session cannot make others pay the construction round trips.
 * A partner changed at Para shows within `ttlMs` at most: after a session is imported, the SDK's own touch compares
 * the partner with Para's answer and fetches it again (with the session, so from Para) when they differ (§4).
 */
export interface AnonymousAnswers {
  /**
   * Wraps the HTTP adapter one SDK instance's axios client would use; `ttlMs` 0 keeps nothing. `onAnsweredHere` is
   * told whenever one of its requests is answered from a kept answer.
   */
  adapter(real: SdkAdapter, ttlMs: number, onAnsweredHere?: () => void): SdkAdapter;
  /** Answers kept now (for tests and stats). */
  size(): number;
  /** Drops every kept answer (an instance built on them could not settle: ask Para again). */
  clear(): void;
  /**
   * Whether fresh answers to every construction request are kept for one API key (and partner), so a construction
   * now will most likely send Para nothing: what admission charges a background construction for.
   */
  coversConstruction(): boolean;
}

/** An axios adapter, as far as used here. */
export type SdkAdapter = (config: AdapterConfig) => Promise<AdapterResponse>;

interface AdapterConfig {
  method?: string;
  baseURL?: string;
  url?: string;
  data?: unknown;
  headers?: unknown;
}

interface AdapterResponse {
  data: unknown;
  status: number;
  statusText: string;
  headers: unknown;
  config: AdapterConfig;
  request: unknown;
}

interface KeptAnswer {
  body: string;
  headers: Record<string, string>;
  keptUntil: number;
  /** Which construction request it answers (index in CONSTRUCTION_REQUESTS), and for whom (identity headers' hash). */
  request: number;
  identity: string;
}

interface RequestKey {
  key: string;
  request: number;
  identity: string;
}

/** The SDK's construction requests (docs/para-sdk.md §2.2), by method and path. */
const CONSTRUCTION_REQUESTS: ReadonlyArray<{ method: string; path: RegExp }> = [
  { method: "post", path: /^\/touch(\?regenerate=false)?$/ },
  { method: "get", path: /^\/partners\/[A-Za-z0-9._~-]{1,200}$/ },
  { method: "get", path: /^\/logout$/ },
];

/** Request headers that decide whose answer it is (the others are transport: accept, user-agent, encodings). */
const IDENTITY_HEADERS = ["x-external-api-key", "x-partner-id", "x-partner-config-override", "x-para-version"];

/** Request headers that carry a session: such a request always goes to Para. */
const REQUEST_SESSION_HEADERS = ["x-capsule-sid", "cookie"];

/** Answer headers the SDK would adopt as a session (docs/para-sdk.md §1 "Session rotation"): never kept. */
const ANSWER_SESSION_HEADERS = ["x-capsule-sid"];

/** Kept answers at most (distinct API keys × 3 endpoints), so a flood of keys cannot grow memory. */
const MAX_KEPT = 64;

/**
 * The axios module the SDK's API client is built with, for the adapter it would pick: resolved as the SDK resolves it
 * (server-sdk → core-sdk, whose external/userManagementClient.js loads user-management-client, whose client.js
 * creates the client with its axios), so a nested install finds the same copy.
 */
const sdkAxios = (() => {
  const fromServerSdk = createRequire(createRequire(import.meta.url).resolve("@getpara/server-sdk"));
  const fromCoreSdk = createRequire(fromServerSdk.resolve("@getpara/core-sdk"));
  return createRequire(fromCoreSdk.resolve("@getpara/user-management-client"))("axios") as { getAdapter(adapters: unknown): SdkAdapter };
})();

/** The adapter the SDK's client would use (its configured list, resolved as axios resolves it). */
export function resolvedAdapter(configured: unknown): SdkAdapter {
  return sdkAxios.getAdapter(configured);
}

/** Requests answered from a kept answer, so observers do not count them as round trips to Para. */
const answeredHere = new WeakSet<object>();

/** Whether this request (axios config) was answered from a kept answer rather than by Para. */
export function answeredLocally(config: unknown): boolean {
  return typeof config === "object" && config !== null && answeredHere.has(config);
}

export function anonymousAnswers(now: () => number = Date.now): AnonymousAnswers {
  const kept = new Map<string, KeptAnswer>();
  /** Sends the request to Para; a sign that Para is unwell drops every kept answer. */
  const send = async (real: SdkAdapter, config: AdapterConfig): Promise<AdapterResponse> => {
    try {
      return await real(config);
    } catch (error) {
      if (paraUnwell(error)) kept.clear();
      throw error;
    }
  };
  return {
    size: () => kept.size,
    clear: () => kept.clear(),
    coversConstruction: () => {
      const at = now();
      const fresh = new Map<string, Set<number>>();
      for (const answer of kept.values()) {
        if (answer.keptUntil <= at) continue;
        const requests = fresh.get(answer.identity) ?? new Set<number>();
        requests.add(answer.request);
        if (requests.size === CONSTRUCTION_REQUESTS.length) return true;
        fresh.set(answer.identity, requests);
      }
      return false;
    },
    adapter: (real, ttlMs, onAnsweredHere) => async (config) => {
      const requestKey = ttlMs > 0 ? keyOf(config) : undefined;
      if (requestKey === undefined) return send(real, config);
      const { key } = requestKey;
      const answer = kept.get(key);
      if (answer && answer.keptUntil > now()) {
        answeredHere.add(config);
        onAnsweredHere?.();
        return { data: answer.body, status: 200, statusText: "OK", headers: { ...answer.headers }, config, request: undefined };
      }
      kept.delete(key);
      const response = await send(real, config);
      const keepable = keepableAnswer(config, response);
      if (keepable) {
        if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
        kept.set(key, { ...keepable, keptUntil: now() + ttlMs, request: requestKey.request, identity: requestKey.identity });
      }
      return response;
    },
  };
}

/** No answer at all, or a 5xx (axios rejects every status but 2xx, with the response attached). */
function paraUnwell(error: unknown): boolean {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status !== "number" || status >= 500;
}

/** The cache key of a request that may be answered from a kept answer, or undefined. */
function keyOf(config: AdapterConfig): RequestKey | undefined {
  const method = (config.method ?? "get").toLowerCase();
  const path = config.url ?? "";
  const request = CONSTRUCTION_REQUESTS.findIndex((r) => r.method === method && r.path.test(path));
  if (request < 0) return undefined;
  if (config.data !== undefined && config.data !== null && config.data !== "") return undefined;
  const headers = headerMap(config.headers);
  if (REQUEST_SESSION_HEADERS.some((h) => h in headers)) return undefined;
  const identity = identityHash([config.baseURL ?? "", ...IDENTITY_HEADERS.map((h) => `${h}:${headers[h] ?? ""}`)].join("\n"));
  return { key: `${identity} ${method} ${path}`, request, identity };
}

/** The last identity hashed: every construction request of a service carries the same one (its API key). */
let lastIdentity: { text: string; hash: string } | undefined;

/** SHA-256 of the identity headers, so no key holds an API key; computed once per distinct identity in a row. */
function identityHash(text: string): string {
  if (lastIdentity?.text !== text) lastIdentity = { text, hash: createHash("sha256").update(text).digest("base64url") };
  return lastIdentity.hash;
}

/** The answer to keep, or undefined when it must not be kept. */
function keepableAnswer(config: AdapterConfig, response: AdapterResponse): Pick<KeptAnswer, "body" | "headers"> | undefined {
  if (response.status !== 200 || typeof response.data !== "string") return undefined;
  const headers = headerMap(response.headers);
  if (ANSWER_SESSION_HEADERS.some((h) => h in headers)) return undefined;
  if (!answersItsRequest(config.url ?? "", response.data)) return undefined;
  // Only what the SDK's response handling may read; hop-by-hop and dates are of that one exchange.
  const contentType = headers["content-type"];
  return { body: response.data, headers: contentType ? { "content-type": contentType } : {} };
}

/**
 * Whether the body is the answer its request should get, so a construction built on it settles: a touch names the
 * partner (non-empty `partnerId`), nobody authenticated and no user; a partner answer is that partner's; a logout may
 * be anything. Anything else (a gateway's or maintenance page's 200) is passed on once but never kept.
 */
function answersItsRequest(path: string, body: string): boolean {
  // The SDK does not read a logout's body (a failed logout is even tolerated, docs/para-sdk.md §2.2).
  if (path === "/logout") return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null) return false;
  const answer = parsed as Record<string, unknown>;
  if (path.startsWith("/touch")) {
    // As the SDK reads them: `!!isAuthenticated`, and a user named by any non-null value.
    return typeof answer["partnerId"] === "string" && answer["partnerId"] !== "" && !answer["isAuthenticated"] && answer["userId"] == null;
  }
  const partner = answer["partner"] as Record<string, unknown> | null | undefined;
  return typeof partner === "object" && partner !== null && partner["id"] === path.slice("/partners/".length);
}

/** Header names lower-cased, values as strings (axios hands AxiosHeaders or plain objects). */
function headerMap(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== "object" || headers === null) return out;
  const source = typeof (headers as { toJSON?: unknown }).toJSON === "function" ? (headers as { toJSON(): object }).toJSON() : headers;
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && value !== null && value !== false) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}
