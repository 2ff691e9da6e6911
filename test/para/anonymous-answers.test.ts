import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import type { ParaRoundTrip } from "../../src/para/para-endpoints.js";
import { anonymousAnswers, answeredLocally, type SdkAdapter } from "../../src/para/sdk/anonymous-answers.js";
import { adaptParaInstance } from "../../src/para/sdk/para-instance.js";
import { ECHO_BUNDLE, exportedSession, pointSdkAt, type StubApi, startStubApi, stopSigningWorker, stubWorkerBundle } from "./sdk-harness.js";

/**
 * Para's answers to a fresh instance's session-less construction requests, reused by the next instances
 * (src/para/sdk/anonymous-answers.ts). Honest users: every call's fresh instance, which should cost one round trip
 * to Para for its session, not six. Adversaries: a caller whose session is stale or rewritten (its refusals must not
 * make others pay, and nothing of its session may be kept or handed to anyone), a Para that ties state to an
 * anonymous request (a session header, an authenticated answer: never kept), and Para failing (kept answers must not
 * hide it from the pool's probes).
 */

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** An adapter standing for the network: records what was sent, answers with `answer`. */
function network(answer: (config: Sent) => { status?: number; body?: unknown; headers?: Record<string, string> } = () => ({})) {
  const sent: Sent[] = [];
  const adapter: SdkAdapter = async (config) => {
    const request = { method: config.method ?? "get", url: config.url ?? "", headers: (config.headers ?? {}) as Record<string, string> };
    sent.push(request);
    const { status = 200, body = paraAnswerTo(request.url), headers = { "content-type": "application/json" } } = answer(request);
    const response = { data: JSON.stringify(body), status, statusText: String(status), headers, config, request: {} };
    if (status < 200 || status >= 300) throw Object.assign(new Error(`status ${status}`), { response });
    return response;
  };
  return { sent, adapter };
}

/** What Para answers a construction request with no session (docs/para-sdk.md §2.2). */
function paraAnswerTo(url: string): unknown {
  if (url.startsWith("/touch")) return { isAuthenticated: false, partnerId: "p1" };
  if (url.startsWith("/partners/")) return { partner: { id: url.slice("/partners/".length) } };
  return {};
}

const KEY = { "X-External-API-Key": "key-A", "x-para-version": "dev" };
const touch = (headers: Record<string, string> = KEY) => ({ method: "post", baseURL: "http://para/", url: "/touch?regenerate=false", headers });

describe("kept answers to construction requests (unit, no SDK)", () => {
  test("a 200 answer to a session-less construction request is reused: the next identical request is not sent", async () => {
    const store = anonymousAnswers();
    const net = network();
    const fetch = store.adapter(net.adapter, 30_000);
    const first = await fetch(touch());
    const secondConfig = touch();
    const second = await fetch(secondConfig);
    const third = await fetch(touch());
    expect(net.sent).toHaveLength(1);
    expect(second.status).toBe(200);
    expect(second.data).toBe(first.data);
    expect(answeredLocally(secondConfig)).toBe(true);
    // Each kept answer is its own object: no instance can change what another gets.
    (second.headers as Record<string, string>)["x-capsule-sid"] = "changed-by-one-instance";
    expect(third.headers).not.toBe(second.headers);
    expect(third.headers).toEqual({ "content-type": "application/json" });
    for (const url of ["/partners/p1", "/logout"]) {
      await fetch({ method: "get", baseURL: "http://para/", url, headers: KEY });
      await fetch({ method: "get", baseURL: "http://para/", url, headers: KEY });
    }
    expect(net.sent.map((s) => s.url)).toEqual(["/touch?regenerate=false", "/partners/p1", "/logout"]);
  });

  test("requests with a session, a body, or to any other endpoint always go to Para", async () => {
    const store = anonymousAnswers();
    const net = network();
    const fetch = store.adapter(net.adapter, 30_000);
    const requests = [
      touch({ ...KEY, "x-capsule-sid": "sid-canary-1" }),
      { ...touch(), data: '{"x":1}' },
      { ...touch(), url: "/touch?regenerate=true" },
      { method: "post", baseURL: "http://para/", url: "/users/u1/session/keep-alive", headers: KEY },
      { method: "get", baseURL: "http://para/", url: "/users/u1/wallets", headers: KEY },
      { method: "get", baseURL: "http://para/", url: "/partners/p1/../users", headers: KEY },
    ];
    for (const config of [...requests, ...requests]) {
      await fetch(config);
      expect(answeredLocally(config)).toBe(false);
    }
    expect(net.sent).toHaveLength(2 * requests.length);
    expect(store.size()).toBe(0);
  });

  test("answers that tie a session to the request are never kept: a session header, an authenticated touch, a user", async () => {
    const store = anonymousAnswers();
    const answers = [
      { headers: { "x-capsule-sid": "sid-canary-2" } },
      { body: { isAuthenticated: true, partnerId: "p1", userId: "u1" } },
      { body: { isAuthenticated: 1, partnerId: "p1" } },
      { body: { isAuthenticated: false, partnerId: "p1", userId: "u1" } },
      { body: { isAuthenticated: false, partnerId: "p1", userId: "" } },
      { status: 204 },
    ];
    for (const answer of answers) {
      const net = network(() => answer);
      const fetch = store.adapter(net.adapter, 30_000);
      await fetch(touch());
      await fetch(touch());
      expect(net.sent).toHaveLength(2);
    }
    expect(store.size()).toBe(0);
  });

  test("a 200 that is not the answer its request should get is passed on once and never kept (a gateway, a maintenance page)", async () => {
    const store = anonymousAnswers();
    const cases: Array<{ url: string; method: string; data: string }> = [
      { method: "post", url: "/touch?regenerate=false", data: "{}" },
      { method: "post", url: "/touch?regenerate=false", data: '{"isAuthenticated":false,"partnerId":""}' },
      { method: "post", url: "/touch?regenerate=false", data: "<html>down for maintenance</html>" },
      { method: "get", url: "/partners/p1", data: '{"partner":{"id":"p2"}}' },
      { method: "get", url: "/partners/p1", data: "{}" },
    ];
    for (const { method, url, data } of cases) {
      const sent: string[] = [];
      const adapter: SdkAdapter = async (config) => {
        sent.push(config.url ?? "");
        return { data, status: 200, statusText: "OK", headers: {}, config, request: {} };
      };
      const fetch = store.adapter(adapter, 30_000);
      await fetch({ method, baseURL: "http://para/", url, headers: KEY });
      const again = await fetch({ method, baseURL: "http://para/", url, headers: KEY });
      expect(again.data, `${url} ${data}`).toBe(data);
      expect(sent, `${url} ${data}`).toHaveLength(2);
    }
    expect(store.size()).toBe(0);
  });

  test("what the SDK ignores does not stop keeping: a load balancer's cookie (not passed on), any logout body", async () => {
    const store = anonymousAnswers();
    const net = network((req) =>
      req.url === "/logout" ? { body: "OK", headers: { "set-cookie": "lb=1" } } : { headers: { "set-cookie": "AWSALB=sticky-canary" } },
    );
    const fetch = store.adapter(net.adapter, 30_000);
    for (const url of ["/touch?regenerate=false", "/logout"]) {
      const method = url === "/logout" ? "get" : "post";
      await fetch({ method, baseURL: "http://para/", url, headers: KEY });
      const kept = await fetch({ method, baseURL: "http://para/", url, headers: KEY });
      expect(JSON.stringify(kept.headers)).not.toContain("sticky-canary");
      expect(kept.headers).not.toHaveProperty("set-cookie");
    }
    expect(net.sent).toHaveLength(2);
  });

  test("answers are kept per API key and partner, and for ttlMs only; 0 keeps nothing", async () => {
    let now = 1_000;
    const store = anonymousAnswers(() => now);
    const net = network();
    const fetch = store.adapter(net.adapter, 30_000);
    await fetch(touch());
    await fetch(touch({ ...KEY, "X-External-API-Key": "key-B" }));
    await fetch(touch({ ...KEY, "x-partner-id": "other" }));
    expect(net.sent).toHaveLength(3);
    now += 29_999;
    await fetch(touch());
    expect(net.sent).toHaveLength(3);
    now += 1;
    await fetch(touch());
    expect(net.sent).toHaveLength(4);
    const never = network();
    const uncached = anonymousAnswers().adapter(never.adapter, 0);
    await uncached(touch());
    await uncached(touch());
    expect(never.sent).toHaveLength(2);
  });

  test("Para failing (no answer, 5xx) drops every kept answer; a 429 or a session's own refusal (401, 403) drops none", async () => {
    const store = anonymousAnswers();
    let failWith: number | "no answer" | undefined;
    const net = network((req) => (req.url.startsWith("/users") && typeof failWith === "number" ? { status: failWith } : {}));
    const sendingAdapter: SdkAdapter = async (config) => {
      if (failWith === "no answer" && config.url?.startsWith("/users")) throw new Error("connect ECONNREFUSED");
      return net.adapter(config);
    };
    const fetch = store.adapter(sendingAdapter, 30_000);
    const sessionCall = { method: "post", baseURL: "http://para/", url: "/users/u1/session/keep-alive", headers: { ...KEY, "x-capsule-sid": "stale" } };
    for (const [failure, drops] of [
      [401, false],
      [403, false],
      [404, false],
      [429, false],
      [503, true],
      ["no answer", true],
    ] as const) {
      await fetch(touch());
      expect(store.size()).toBe(1);
      failWith = failure;
      await expect(fetch(sessionCall)).rejects.toThrow();
      failWith = undefined;
      expect(store.size(), `after ${failure}`).toBe(drops ? 0 : 1);
    }
  });

  test("a refused answer to a construction request is not kept: the next request is sent again", async () => {
    const store = anonymousAnswers();
    let status = 401;
    const net = network(() => ({ status }));
    const fetch = store.adapter(net.adapter, 30_000);
    await expect(fetch(touch())).rejects.toThrow();
    expect(store.size()).toBe(0);
    status = 200;
    await fetch(touch());
    await fetch(touch());
    // The refusal was sent and not kept; the 200 after it was sent, then kept.
    expect(net.sent).toHaveLength(2);
  });

  test("it covers a construction (admission charges none) only while all three answers are fresh for one key", async () => {
    let now = 0;
    const store = anonymousAnswers(() => now);
    const fetch = store.adapter(network().adapter, 1_000);
    await fetch(touch());
    await fetch({ method: "get", baseURL: "http://para/", url: "/partners/p1", headers: KEY });
    // The third for another key: no key has all three.
    await fetch({ method: "get", baseURL: "http://para/", url: "/logout", headers: { ...KEY, "X-External-API-Key": "key-B" } });
    expect(store.coversConstruction()).toBe(false);
    await fetch({ method: "get", baseURL: "http://para/", url: "/logout", headers: KEY });
    expect(store.coversConstruction()).toBe(true);
    now = 1_000;
    expect(store.coversConstruction()).toBe(false);
  });

  test("the store is bounded, whatever number of distinct keys asks", async () => {
    const store = anonymousAnswers();
    const net = network();
    const fetch = store.adapter(net.adapter, 30_000);
    for (let i = 0; i < 500; i++) await fetch(touch({ ...KEY, "X-External-API-Key": `key-${i}` }));
    expect(store.size()).toBeLessThanOrEqual(64);
    expect(store.size()).toBeGreaterThan(0);
  });
});

describe("kept answers with the real SDK (stub Para on port 0)", () => {
  let api: StubApi;

  beforeAll(async () => {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, level).mockImplementation(() => undefined);
    api = await startStubApi();
  });

  beforeEach(() => {
    api.requests.length = 0;
    api.sessions.clear();
    api.route = () => undefined;
  });

  afterAll(async () => {
    await stopSigningWorker();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    await api.close();
  });

  /**
   * A fresh instance as the service builds it, reusing construction answers for 30 s. Each test uses its own API key:
   * the store is the module graph's, and answers are kept per key, so no test sees another's.
   */
  function fresh(trips: ParaRoundTrip[], apiKey: string) {
    stubWorkerBundle(ECHO_BUNDLE);
    const sdk = new ParaServer(Environment.DEV, apiKey);
    pointSdkAt(sdk, api.url);
    return adaptParaInstance(sdk, (trip) => trips.push(trip), { proxyConfigured: false, anonymousAnswerTtlMs: 30_000 });
  }

  /** Requests without a session for `apiKey` (the stub records each request's key). */
  const constructionRequests = (apiKey: string) => api.requests.filter((r) => !r.sid && r.path !== "/errors/sdk" && r.apiKey === apiKey);

  test("the second fresh instance settles ready without a construction round trip, and its session still goes to Para", async () => {
    const apiKey = "dev_kept_first";
    const firstTrips: ParaRoundTrip[] = [];
    expect(await fresh(firstTrips, apiKey).settled()).toBe("ready");
    // The first instance's three touches are one request: the second and third reuse the first's answer.
    const sentByFirst = constructionRequests(apiKey).length;
    expect(constructionRequests(apiKey).map((r) => r.path)).toEqual(["/touch?regenerate=false", "/partners/p1", "/logout"]);
    expect(firstTrips).toHaveLength(sentByFirst);

    const trips: ParaRoundTrip[] = [];
    const second = fresh(trips, apiKey);
    expect(await second.settled()).toBe("ready");
    expect(constructionRequests(apiKey)).toHaveLength(sentByFirst);
    // Kept answers are no round trips: neither traces nor reachability see them.
    expect(trips).toEqual([]);

    api.sessions.add("sid-live");
    await second.importSession(exportedSession("sid-live"));
    expect(await second.checkSession()).toMatchObject({ active: true, userId: "u1" });
    expect(api.requests.filter((r) => r.sid === "sid-live").map((r) => r.path)).toEqual(["/touch?regenerate=false"]);
    expect(trips.map((t) => t.endpoint)).toEqual(["touch"]);
  });

  test("a stale or rewritten session is asked of Para every time and changes nothing others get", async () => {
    const apiKey = "dev_kept_forged";
    expect(await fresh([], apiKey).settled()).toBe("ready");
    const kept = constructionRequests(apiKey).length;
    // Para does not know the session: its touch says so (and the stub refuses its keep-alive).
    api.route = (req) => (req.sid === "sid-forged" && req.path.includes("keep-alive") ? { status: 401, body: { message: "nope" } } : undefined);
    for (let i = 0; i < 3; i++) {
      const attacker = fresh([], apiKey);
      expect(await attacker.settled()).toBe("ready");
      await attacker.importSession(exportedSession("sid-forged"));
      expect(await attacker.checkSession()).toMatchObject({ active: false, userId: undefined });
      expect(await attacker.keepSessionAlive()).toBe(false);
    }
    expect(api.requests.filter((r) => r.sid === "sid-forged")).toHaveLength(6);
    // The honest user's next instance still settles from kept answers, and its session is its own.
    const honest = fresh([], apiKey);
    expect(await honest.settled()).toBe("ready");
    expect(constructionRequests(apiKey)).toHaveLength(kept);
    api.sessions.add("sid-honest");
    await honest.importSession(exportedSession("sid-honest"));
    expect(await honest.checkSession()).toMatchObject({ active: true });
    const exported = JSON.parse(Buffer.from(await honest.exportSession({ excludeSigners: true }), "base64").toString("utf8")) as { sessionCookie: string };
    expect(exported.sessionCookie).toBe("sid-honest");
  });

  test("an instance built on kept answers that fails to settle drops them: the next construction asks Para again", async () => {
    const apiKey = "dev_kept_unsettled";
    // Para knows no such partner (404: not a sign of an outage, so it drops nothing by itself).
    api.route = (req) => (req.path.startsWith("/partners/") ? { status: 404, body: { message: "no such partner" } } : undefined);
    const touchesSent = () => constructionRequests(apiKey).filter((r) => r.path.startsWith("/touch")).length;
    // The first sends its touch (kept) and fails on the partner; the second is built on the kept touch and fails too,
    // which drops it; so the third sends its touch again.
    for (let i = 0; i < 3; i++) expect(await fresh([], apiKey).settled()).toBe("failed");
    expect(touchesSent()).toBe(2);
  });

  test("Para failing drops the kept answers: the next construction asks Para again and fails as before", async () => {
    const apiKey = "dev_kept_outage";
    expect(await fresh([], apiKey).settled()).toBe("ready");
    api.route = () => ({ status: 503, body: { message: "down" } });
    const during = fresh([], apiKey);
    expect(await during.settled()).toBe("ready"); // from kept answers, no round trip
    api.sessions.add("sid-live");
    await during.importSession(exportedSession("sid-live"));
    await expect(during.checkSession()).rejects.toThrow();
    expect(during.lastFailure()?.status).toBe(503);
    const before = constructionRequests(apiKey).length;
    expect(await fresh([], apiKey).settled()).toBe("failed");
    expect(constructionRequests(apiKey).length).toBeGreaterThan(before);
  });
});
