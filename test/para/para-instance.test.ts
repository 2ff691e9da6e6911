import { Socket } from "node:net";
import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { ParaRoundTrip } from "../../src/para/para-endpoints.js";
import { adaptParaInstance, type ParaInstance } from "../../src/para/sdk/para-instance.js";
import { isSdkWalletLookupError } from "../../src/para/sdk/sdk-internals.js";
import { sdkHttpClient } from "../../src/para/sdk/sdk-internals.js";
import { ECHO_BUNDLE, exportedSession, pointSdkAt, type StubApi, startStubApi, stopSigningWorker, stubWorkerBundle } from "./sdk-harness.js";

/**
 * The instance adapter over the real SDK, end to end: construction, import, session check, keep-alive with a rotated
 * session id, export, signing jobs and review polls, against a stand-in for Para's API on an ephemeral port and a
 * worker bundle that echoes its jobs (test/para/sdk-harness.ts).
 */

let api: StubApi;

beforeAll(async () => {
  // The SDK logs every state transition in DEV and warns once per wallet type on import (docs/para-sdk.md §11, §14.8).
  for (const level of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, level).mockImplementation(() => undefined);
  api = await startStubApi();
});

afterEach(() => {
  api.route = () => undefined;
  api.sessions.clear();
});

afterAll(async () => {
  // Stop the process-wide worker and wait for its exit, whose "worker stopped with exit code 1" the quiet console
  // takes; afterwards nothing of the SDK prints into another file's output.
  await stopSigningWorker();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  await api.close();
});

/** The SDK instance under each adapter, for tests that move its API client. */
const sdkOf = new Map<ParaInstance, ParaServer>();

/** A fresh instance adapted as createParaInstance does, its API client sent to the stub. */
function instance(trips: ParaRoundTrip[] = []): ParaInstance {
  stubWorkerBundle(ECHO_BUNDLE);
  const sdk = new ParaServer(Environment.DEV, "dev_unit_key");
  pointSdkAt(sdk, api.url);
  const para = adaptParaInstance(sdk, (trip) => trips.push(trip));
  sdkOf.set(para, sdk);
  return para;
}

/** An instance with the session `sid-1` imported and Para taking it as active. */
async function imported(trips: ParaRoundTrip[] = []): Promise<ParaInstance> {
  api.sessions.add("sid-1");
  const para = instance(trips);
  expect(await para.settled()).toBe("ready");
  await para.importSession(exportedSession("sid-1"));
  return para;
}

const decode = (session: string) => JSON.parse(Buffer.from(session, "base64").toString("utf8")) as Record<string, unknown>;

describe("ParaInstance over the real SDK", () => {
  test("with no proxy named in the environment the client is told so once; with one, axios's own lookup is kept", async () => {
    const trips: ParaRoundTrip[] = [];
    // Every construction INITs the process-wide worker: it must be this file's stub, never a bundle from a local
    // backend another tier may have running on the portal's port.
    stubWorkerBundle(ECHO_BUNDLE);
    const direct = new ParaServer(Environment.DEV, "dev_unit_key");
    pointSdkAt(direct, api.url);
    const adapted = adaptParaInstance(direct, (trip) => trips.push(trip), { proxyConfigured: false, anonymousAnswerTtlMs: 0 });
    expect(sdkHttpClient(direct).defaults.proxy).toBe(false);
    expect(sdkHttpClient(direct).defaults.maxRedirects).toBe(0);
    // Still talks to Para (the stub) the same way.
    expect(await adapted.settled()).toBe("ready");
    expect(trips.length).toBeGreaterThan(0);
    const proxied = new ParaServer(Environment.DEV, "dev_unit_key");
    pointSdkAt(proxied, api.url);
    adaptParaInstance(proxied, undefined, { proxyConfigured: true, anonymousAnswerTtlMs: 0 });
    expect(sdkHttpClient(proxied).defaults.proxy).toBeUndefined();
  });

  test("the SDK's pooled sockets keep one TCP keep-alive setting, instead of two flipped on every round trip", async () => {
    // axios sets 60 s on each request's socket; Node's default agent set 1 s back when the socket returned to the
    // pool, so each round trip reconfigured the socket twice (setsockopt calls in the SDK thread's hot path).
    const settings: Array<[boolean, number | undefined]> = [];
    const original = Socket.prototype.setKeepAlive;
    const spy = vi.spyOn(Socket.prototype, "setKeepAlive").mockImplementation(function (this: Socket, enable?: boolean, delay?: number) {
      settings.push([Boolean(enable), delay]);
      return original.call(this, enable, delay);
    });
    try {
      const trips: ParaRoundTrip[] = [];
      const para = await imported(trips);
      await para.checkSession();
      expect(trips.length).toBeGreaterThanOrEqual(5);
      // Both sides asked: axios per request, the agent per return to the pool; always the same setting.
      expect(settings.length).toBeGreaterThanOrEqual(2 * trips.length - 1);
      expect(new Set(settings.map(([enable, delay]) => `${enable}:${delay}`))).toEqual(new Set(["true:60000"]));
    } finally {
      spy.mockRestore();
    }
  });

  test("a construction settles ready, and the session check names Para's user for the imported session", async () => {
    const trips: ParaRoundTrip[] = [];
    const para = await imported(trips);
    expect(await para.checkSession()).toEqual({ active: true, userId: "u1", verificationToken: "slid-u1" });
    expect(api.requests.at(-1)).toMatchObject({ method: "POST", sid: "sid-1" });
    expect(trips.map((t) => t.endpoint)).toContain("partner");
    expect(trips.filter((t) => t.endpoint === "touch").every((t) => t.status === 200)).toBe(true);
    expect(para.lastFailure()).toBeUndefined();
  });

  test("a construction Para refuses settles failed, and the refusal's HTTP status is kept (the SDK's error loses it)", async () => {
    const trips: ParaRoundTrip[] = [];
    api.route = (req) => (req.path === "/partners/p1" ? { status: 503, body: { message: "down" } } : undefined);
    const para = instance(trips);
    expect(await para.settled()).toBe("failed");
    expect(para.lastFailure()).toEqual({ status: 503, code: undefined });
    expect(trips).toContainEqual(expect.objectContaining({ endpoint: "partner", status: 503 }));
    await expect(para.importSession(exportedSession("sid-1"))).rejects.toThrow();
  });

  test("the session is exported as re-rotated by Para on keep-alive (docs/para-sdk.md §1, §9)", async () => {
    const para = await imported();
    api.route = (req) => (req.path === "/users/u1/session/keep-alive" ? { body: {}, headers: { "x-capsule-sid": "sid-2" } } : undefined);
    expect(await para.keepSessionAlive()).toBe(true);

    const withoutSigners = decode(await para.exportSession({ excludeSigners: true }));
    expect(withoutSigners["sessionCookie"]).toBe("sid-2");
    expect(withoutSigners["userId"]).toBe("u1");
    const wallets = withoutSigners["wallets"] as Record<string, Record<string, unknown>>;
    expect(Object.keys(wallets).sort()).toEqual(["w-evm", "w-sol"]);
    expect(Object.values(wallets).some((w) => "signer" in w)).toBe(false);

    const withSigners = decode(await para.exportSession({ excludeSigners: false }));
    expect((withSigners["wallets"] as Record<string, { signer?: string }>)["w-evm"]?.signer).toBe("share-evm");
    // The rotated id is the one the instance uses from now on.
    api.sessions.add("sid-2");
    await para.checkSession();
    expect(api.requests.at(-1)?.sid).toBe("sid-2");
  });

  test("exporting before a session is imported throws the SDK's refusal", async () => {
    const para = instance();
    expect(await para.settled()).toBe("ready");
    await expect(para.exportSession({ excludeSigners: true })).rejects.toThrow(/not authenticated/);
  });

  test("a message signing job reaches the worker with the session's user, share and id, and no review flow", async () => {
    const para = await imported();
    const outcome = await para.sign("w-evm", "aGVsbG8=");
    const envelope = JSON.parse(outcome.signature ?? "{}");
    expect(envelope).toMatchObject({
      functionType: "SIGN_MESSAGE",
      params: { walletId: "w-evm", userId: "u1", share: "share-evm", message: "aGVsbG8=" },
      sessionCookie: "sid-1",
      useDKLS: true,
    });
    // No /errors/sdk, no review lookups: the job went straight to the worker.
    expect(api.requests.some((r) => r.path === "/errors/sdk" || r.path.includes("supported-auth-methods"))).toBe(false);
  });

  test("an ed25519 wallet signs through the ED25519_SIGN job", async () => {
    const para = await imported();
    const envelope = JSON.parse((await para.sign("w-sol", "aGk=")).signature ?? "{}");
    expect(envelope).toMatchObject({ functionType: "ED25519_SIGN", params: { walletId: "w-sol", userId: "u1", share: "share-sol", base64Bytes: "aGk=" } });
  });

  test("a transaction signing job carries the transaction, chain, share and session in the SDK's argument order", async () => {
    const para = await imported();
    const envelope = JSON.parse((await para.signTransaction("w-evm", "AQID", "8453")).signature ?? "{}");
    expect(envelope).toMatchObject({
      functionType: "SIGN_TRANSACTION",
      params: { walletId: "w-evm", userId: "u1", share: "share-evm", tx: "AQID", chainId: "8453" },
      sessionCookie: "sid-1",
      useDKLS: true,
    });
  });

  test("the wallet check passes the session's wallets and refuses others with the SDK's lookup error", async () => {
    const para = await imported();
    await expect(para.assertWallet("w-evm")).resolves.toBeUndefined();
    let thrown: unknown;
    try {
      await para.assertWallet("w-unknown");
    } catch (error) {
      thrown = error;
    }
    expect(isSdkWalletLookupError(thrown)).toBe(true);
  });
});

describe("pendingTransaction: one poll of a transaction review (docs/para-sdk.md §7.5)", () => {
  const answer = (status: number, body: unknown) => (req: { path: string }) =>
    req.path.startsWith("/users/") && req.path.includes("/pending-transactions/") ? { status, body } : undefined;

  test("not yet decided: pending; approved: approved", async () => {
    const para = await imported();
    api.route = answer(200, { pendingTransaction: { id: "ptx-1", approvedAt: null } });
    expect(await para.pendingTransaction("u1", "ptx-1")).toEqual({ state: "pending" });
    expect(api.requests.at(-1)).toEqual({ method: "GET", path: "/users/u1/pending-transactions/ptx-1", sid: "sid-1", apiKey: "dev_unit_key" });
    api.route = answer(200, { pendingTransaction: { id: "ptx-1", approvedAt: "2025-01-01T00:00:00.000Z" } });
    expect(await para.pendingTransaction("u1", "ptx-1")).toEqual({ state: "approved" });
  });

  test("without a user, the imported session's user is asked for", async () => {
    const para = await imported();
    api.route = answer(200, { pendingTransaction: { approvedAt: null } });
    await para.pendingTransaction(undefined, "ptx-9");
    expect(api.requests.at(-1)?.path).toBe("/users/u1/pending-transactions/ptx-9");
  });

  test("ids are sent encoded: a caller's id cannot name another route", async () => {
    const para = await imported();
    api.route = answer(200, { pendingTransaction: { approvedAt: null } });
    await para.pendingTransaction("u1", "../../auth/jwt");
    expect(api.requests.at(-1)?.path).toBe("/users/u1/pending-transactions/..%2F..%2Fauth%2Fjwt");
  });

  test.each([403, 404, 410])("Para's %i means the review is denied (no longer pending for this user)", async (status) => {
    const para = await imported();
    api.route = answer(status, { message: "no such pending transaction" });
    expect(await para.pendingTransaction("u1", "ptx-1")).toEqual({ state: "denied" });
  });

  test.each([429, 500, 503, 401])("Para's %i is not a decision: the poll fails, with the status kept for mapping", async (status) => {
    const para = await imported();
    api.route = answer(status, { message: "try later" });
    await expect(para.pendingTransaction("u1", "ptx-1")).rejects.toMatchObject({ status });
    expect(para.lastFailure()).toEqual({ status, code: undefined });
  });

  test("no answer from Para: the poll fails as a connection failure, and the round trip is reported without a status", async () => {
    const trips: ParaRoundTrip[] = [];
    const para = await imported(trips);
    const gone = await startStubApi();
    await gone.close();
    pointSdkAt(sdkOf.get(para), gone.url);
    await expect(para.pendingTransaction("u1", "ptx-1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(para.lastFailure()).toEqual({ status: undefined, code: "ECONNREFUSED" });
    expect(trips.at(-1)).toMatchObject({ status: undefined });
  });

  test("an aborted signal ends the wait with the abort", async () => {
    const para = await imported();
    api.route = answer(200, { pendingTransaction: { approvedAt: null } });
    const controller = new AbortController();
    controller.abort();
    await expect(para.pendingTransaction("u1", "ptx-1", controller.signal)).rejects.toThrow(/aborted/);
  });
});
