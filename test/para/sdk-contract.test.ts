import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { resetSigningWorker, warmSigningWorker } from "../../src/para/sdk/signing-worker-process.js";
import * as internals from "../../src/para/sdk/sdk-internals.js";
import { ECHO_BUNDLE, pointSdkAt, type StubApi, startStubApi, stubWorkerBundle } from "./sdk-harness.js";

/**
 * The contract between src/para/sdk/sdk-internals.ts and the installed @getpara/server-sdk: every accessor there is
 * checked here against the real SDK (the private member exists with the expected kind and arity, and behaves as
 * docs/para-sdk.md describes; the SDK's error texts are still the ones matched), and every failure names the
 * assumption and its docs section. An SDK upgrade that breaks one fails here instead of as INTERNAL in production.
 *
 * Nothing talks to Para and no fixed port is used. The instances are built with `useStorageOverrides` (the
 * constructor then returns before any service, state machine or request exists, docs/para-sdk.md §0), then given
 * their services and a session the way `importSession` stores one (§3.2 step 2), without the state machine. API
 * round trips go to a stand-in on an ephemeral port; the worker bundle is served through a stubbed `fetch`.
 */

const require = createRequire(import.meta.url);
const API_KEY = "dev_contract_check";

/** What a failing check reports: the assumption, where docs/para-sdk.md describes it, and what to update. */
function broken(assumption: string, section: string): string {
  return `@getpara/server-sdk no longer matches the assumption "${assumption}" (docs/para-sdk.md ${section}): update src/para/sdk/sdk-internals.ts for this SDK version`;
}

/** Accessors of sdk-internals.ts and the tests below that check them (a new accessor without a check fails). */
const CHECKED = new Set<string>();

/** A test of one assumption behind `accessor`; any failure inside is reported with the assumption and section. */
function contract(accessor: keyof typeof internals, assumption: string, section: string, body: () => Promise<void> | void, timeout?: number) {
  CHECKED.add(accessor);
  test(
    `${accessor}: ${assumption} (${section})`,
    async () => {
      try {
        await body();
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new Error(`${broken(assumption, section)}\n${detail}`, { cause: error });
      }
    },
    timeout,
  );
}

/** The SDK members an instance is given by `init()`/`importSession`, reached here to build one without Para. */
interface OfflineSdk {
  initializeServices(): void;
  setUserId(userId: string): Promise<void>;
  setWallets(wallets: Record<string, Record<string, unknown>>): Promise<void>;
  setCurrentWalletIds(ids: Record<string, string[]>): Promise<void>;
  persistSessionCookie(cookie: string): void;
  retrieveSessionCookie(): string | undefined;
  findWalletId(walletId?: string): string;
}

const offline = (para: ParaServer) => para as unknown as OfflineSdk;

/** An instance that has never talked to Para, holding a session the way importSession stores one (docs/para-sdk.md §3.2). */
async function offlineInstance(wallets: Record<string, Record<string, unknown>> = {}, currentWalletIds: Record<string, string[]> = {}): Promise<ParaServer> {
  const storage = new Map<string, string>();
  const para = new ParaServer(Environment.DEV, API_KEY, {
    useStorageOverrides: true,
    localStorageGetItemOverride: async (key: string) => storage.get(key) ?? null,
    localStorageSetItemOverride: async (key: string, value: string) => void storage.set(key, value),
    sessionStorageGetItemOverride: async () => null,
    sessionStorageSetItemOverride: async () => undefined,
    sessionStorageRemoveItemOverride: async () => undefined,
    clearStorageOverride: async () => undefined,
  });
  const sdk = offline(para);
  sdk.initializeServices();
  await sdk.setUserId("u1");
  await sdk.setWallets(wallets);
  await sdk.setCurrentWalletIds(currentWalletIds);
  sdk.persistSessionCookie("sid-1");
  return para;
}

const WALLETS = {
  "w-evm": { id: "w-evm", type: "EVM", scheme: "DKLS", address: "0x11", publicKey: "04aa", signer: "share-evm", userId: "u1" },
  "w-sol": { id: "w-sol", type: "SOLANA", scheme: "ED25519", address: "So1", publicKey: "bb", signer: "share-sol", userId: "u1" },
  "w-other": { id: "w-other", type: "EVM", scheme: "DKLS", address: "0x22", publicKey: "04cc", signer: "share-other", userId: "someone-else" },
  "w-pregen": { id: "w-pregen", type: "EVM", scheme: "DKLS", address: "0x33", publicKey: "04dd", signer: "share-pregen", partnerId: "partner-7" },
};
const CURRENT = { EVM: ["w-evm"], SOLANA: ["w-sol"] };

/** Worker bundles for the checks: each answers INIT, then behaves as named on any other job. */
const BUNDLES = {
  echo: ECHO_BUNDLE,
  review: `const { parentPort } = require("worker_threads");
parentPort.on("message", (m) => parentPort.postMessage(m.functionType === "INIT" ? { workId: m.workId } : { workId: m.workId, pendingTransactionId: "ptx-1" }));`,
  crash: `const { parentPort } = require("worker_threads");
parentPort.on("message", (m) => { if (m.functionType === "INIT") return parentPort.postMessage({ workId: m.workId }); throw new Error("job failed"); });`,
  exit: `const { parentPort } = require("worker_threads");
parentPort.on("message", (m) => { if (m.functionType === "INIT") return parentPort.postMessage({ workId: m.workId }); process.exit(3); });`,
  silent: `const { parentPort } = require("worker_threads");
parentPort.on("message", (m) => { if (m.functionType === "INIT") parentPort.postMessage({ workId: m.workId }); });`,
};

/** The process-wide worker started from `bundle` (warmed as the service does), with its exit, and the bundle downloads. */
async function workerRunning(bundle: string): Promise<{ worker: Worker; exited: Promise<unknown>; fetched: string[] }> {
  const fetched = stubWorkerBundle(bundle);
  const worker = await warmSigningWorker("DEV", API_KEY);
  // Not events.once: that would reject on the worker's "error", which the crash checks provoke.
  const exited = new Promise<unknown>((resolve) => worker.once("exit", resolve));
  return { worker, exited, fetched };
}

let running: Awaited<ReturnType<typeof workerRunning>> | undefined;

/** Stops the worker of the current check and waits for its exit, so its exit handler cannot touch the next check's. */
async function stopWorker(): Promise<void> {
  resetSigningWorker();
  await running?.exited;
  running = undefined;
}

let api: StubApi;

beforeAll(async () => {
  // The SDK prints to the console (state transitions, "worker stopped with exit code 1" when a stub worker exits,
  // "worker error: …" on a crash): expected here, and kept out of the test output (docs/para-sdk.md §11).
  for (const level of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, level).mockImplementation(() => undefined);
  api = await startStubApi();
});

afterEach(async () => {
  vi.useRealTimers();
  await stopWorker();
  vi.unstubAllGlobals();
  api.route = () => undefined;
});

afterAll(async () => {
  await api.close();
});

const envelopeOf = (outcome: { signature?: string }) => JSON.parse(outcome.signature ?? "{}") as Record<string, unknown>;

describe("@getpara/server-sdk internals (src/para/sdk/sdk-internals.ts)", () => {
  contract("assertSupportedSdk", "the private members the adapter calls exist on an instance", "§6, §7.1, §1", async () => {
    const para = await offlineInstance();
    expect(() => internals.assertSupportedSdk(para)).not.toThrow();
    // And the run-time guard does refuse an SDK without them, naming what is missing.
    const without = (patch: Record<string, unknown>) => Object.assign(Object.create(para) as object, patch) as unknown as ParaServer;
    expect(() => internals.assertSupportedSdk(without({ signMessageInner: undefined }))).toThrow(/signMessageInner/);
    expect(() => internals.assertSupportedSdk(without({ platformUtils: {} }))).toThrow(/platformUtils\.signTransaction/);
    expect(() => internals.assertSupportedSdk(without({ ctx: { client: {} } }))).toThrow(/ctx\.client\.baseRequest.*ctx\.client\.getPendingTransaction/);
  });

  contract("sdkHttpClient", "ctx.client.baseRequest is the axios instance every API round trip of the instance goes through", "§1", async () => {
    const para = await offlineInstance();
    const http = internals.sdkHttpClient(para);
    expect(typeof http.interceptors.request.use).toBe("function");
    expect(typeof http.interceptors.response.use).toBe("function");
    expect(typeof http.defaults).toBe("object");
    const seen: string[] = [];
    http.interceptors.request.use((config) => {
      seen.push(config.url ?? "");
      return config;
    });
    pointSdkAt(para, api.url);
    api.route = () => ({ body: { pendingTransaction: { approvedAt: null } } });
    await internals.fetchPendingTransaction(para, "u1", "ptx-1");
    expect(seen).toEqual(["/users/u1/pending-transactions/ptx-1"]);
  });

  contract("sdkHttpClient", "a session id Para rotates (x-capsule-sid response header) is kept, sent from then on, and exported", "§1, §9", async () => {
    const para = await offlineInstance();
    pointSdkAt(para, api.url);
    api.route = () => ({ body: { pendingTransaction: { approvedAt: null } }, headers: { "x-capsule-sid": "sid-rotated" } });
    await internals.fetchPendingTransaction(para, "u1", "ptx-1");
    expect(offline(para).retrieveSessionCookie()).toBe("sid-rotated");
    await internals.fetchPendingTransaction(para, "u1", "ptx-1");
    expect(api.requests.at(-1)?.sid).toBe("sid-rotated");
    // exportSession (public, synchronous) reports the instance's current cookie, not the imported one.
    expect(typeof para.exportSession).toBe("function");
    expect(ParaServer.prototype.exportSession.toString()).toMatch(/sessionCookie:\s*this\.retrieveSessionCookie\(\)/);
  });

  contract("assertWalletUsable", "findWalletId(id) passes the session's own wallets and throws for others, locally", "§6", async () => {
    const para = await offlineInstance(WALLETS, CURRENT);
    expect(typeof offline(para).findWalletId).toBe("function");
    const requestsBefore = api.requests.length;
    expect(() => internals.assertWalletUsable(para, "w-evm")).not.toThrow();
    expect(() => internals.assertWalletUsable(para, "w-sol")).not.toThrow();
    expect(() => internals.assertWalletUsable(para, "w-missing")).toThrow(/does not exist/);
    expect(() => internals.assertWalletUsable(para, "w-other")).toThrow(/is not owned/);
    expect(api.requests.length).toBe(requestsBefore);
  });

  contract(
    "signMessageWithoutReview",
    "signMessageInner({wallet, signerId, messageBase64}) runs one worker job for the wallet's scheme",
    "§7.1, §7.2",
    async () => {
      running = await workerRunning(BUNDLES.echo);
      const para = await offlineInstance(WALLETS, CURRENT);
      expect(typeof (para as unknown as { signMessageInner?: unknown }).signMessageInner).toBe("function");
      expect(envelopeOf(await internals.signMessageWithoutReview(para, "w-evm", "aGk="))).toMatchObject({
        functionType: "SIGN_MESSAGE",
        params: { share: "share-evm", walletId: "w-evm", userId: "u1", message: "aGk=" },
        sessionCookie: "sid-1",
        useDKLS: true,
      });
      expect(envelopeOf(await internals.signMessageWithoutReview(para, "w-sol", "aGk="))).toMatchObject({
        functionType: "ED25519_SIGN",
        params: { share: "share-sol", walletId: "w-sol", userId: "u1", base64Bytes: "aGk=" },
        sessionCookie: "sid-1",
      });
      // The jobs went to the worker warmSigningWorker started: one module instance, one bundle download (§2.4).
      expect(running.fetched).toHaveLength(1);
    },
  );

  contract("signMessageWithoutReview", "an unclaimed pregenerated wallet signs as its partner", "§7.1 step 1", async () => {
    running = await workerRunning(BUNDLES.echo);
    const para = await offlineInstance(WALLETS, CURRENT);
    expect(envelopeOf(await internals.signMessageWithoutReview(para, "w-pregen", "aGk="))).toMatchObject({ params: { userId: "partner-7" } });
    expect(ParaServer.prototype.signMessage.toString()).toMatch(/wallet\.partnerId && !wallet\.userId/);
  });

  contract("signMessageWithoutReview", "a review request comes back as pendingTransactionId, without the review flow", "§7.1 step 4, §7.5", async () => {
    running = await workerRunning(BUNDLES.review);
    const para = await offlineInstance(WALLETS, CURRENT);
    const requestsBefore = api.requests.length;
    expect(await internals.signMessageWithoutReview(para, "w-evm", "aGk=")).toEqual({ pendingTransactionId: "ptx-1" });
    expect(await internals.signTransactionWithoutReview(para, "w-evm", "AQID", "1")).toEqual({ pendingTransactionId: "ptx-1" });
    expect(api.requests.length).toBe(requestsBefore);
  });

  contract(
    "signTransactionWithoutReview",
    "platformUtils.signTransaction(ctx, userId, walletId, share, tx, chainId, sessionCookie, isDKLS) runs a SIGN_TRANSACTION job",
    "§7.2",
    async () => {
      running = await workerRunning(BUNDLES.echo);
      const para = await offlineInstance(WALLETS, CURRENT);
      const platformUtils = (para as unknown as { platformUtils?: { signTransaction?: { length: number } } }).platformUtils;
      expect(platformUtils?.signTransaction?.length).toBe(8);
      const signing = require("@getpara/server-sdk/dist/cjs/wallet/signing.js") as { signTransaction?: { length: number } };
      expect(signing.signTransaction?.length).toBe(8);
      expect(envelopeOf(await internals.signTransactionWithoutReview(para, "w-evm", "AQID", "8453"))).toMatchObject({
        functionType: "SIGN_TRANSACTION",
        params: { share: "share-evm", walletId: "w-evm", userId: "u1", tx: "AQID", chainId: "8453" },
        sessionCookie: "sid-1",
        useDKLS: true,
      });
      expect(envelopeOf(await internals.signTransactionWithoutReview(para, "w-pregen", "AQID", "1"))).toMatchObject({ params: { userId: "partner-7" } });
      // The same steps ParaCore.signTransaction takes before it would poll for a review.
      expect(ParaServer.prototype.signTransaction.toString()).toMatch(/this\.platformUtils\.signTransaction\(/);
    },
  );

  contract(
    "fetchPendingTransaction",
    "ctx.client.getPendingTransaction(userId, id) is GET /users/{userId}/pending-transactions/{id} with the session, body {pendingTransaction:{approvedAt}}",
    "§7.5",
    async () => {
      const para = await offlineInstance();
      const client = (para as unknown as { ctx: { client: { getPendingTransaction?: { length: number } } } }).ctx.client;
      expect(client.getPendingTransaction?.length).toBe(2);
      pointSdkAt(para, api.url);
      api.route = () => ({ body: { pendingTransaction: { id: "ptx-1", approvedAt: null } } });
      expect(await internals.fetchPendingTransaction(para, "u1", "ptx-1")).toEqual({ approvedAt: null });
      expect(api.requests.at(-1)).toMatchObject({ method: "GET", path: "/users/u1/pending-transactions/ptx-1", sid: "sid-1" });
      api.route = () => ({ body: { pendingTransaction: { id: "ptx-1", approvedAt: "2025-01-01T00:00:00.000Z" } } });
      expect(await internals.fetchPendingTransaction(para, "u1", "ptx-1")).toEqual({ approvedAt: "2025-01-01T00:00:00.000Z" });
      // The SDK's own review loop polls through the same method (§7.5).
      expect(ParaServer.prototype.signMessage.toString()).toMatch(/this\.ctx\.client\.getPendingTransaction\(/);
    },
  );

  contract("sdkApiFailureOf", "a non-200 answer rejects with ParaApiError (isParaApiError, status, axios code)", "§1 Status handling", async () => {
    const para = await offlineInstance();
    pointSdkAt(para, api.url);
    api.route = () => ({ status: 404, body: { message: "no such pending transaction" } });
    const refused = await internals.fetchPendingTransaction(para, "u1", "ptx-1").catch((error: unknown) => error);
    expect((refused as Error).name).toBe("ParaApiError");
    expect(Object.getPrototypeOf(refused).isParaApiError).toBe(true);
    expect(internals.sdkApiFailureOf(refused)).toEqual({ status: 404, code: "ERR_BAD_REQUEST" });
    api.route = () => ({ status: 503, body: {} });
    const failing = await internals.fetchPendingTransaction(para, "u1", "ptx-1").catch((error: unknown) => error);
    expect(internals.sdkApiFailureOf(failing)).toEqual({ status: 503, code: "ERR_BAD_RESPONSE" });
    expect(internals.sdkApiFailureOf(new Error("not the SDK's"))).toBeUndefined();
  });

  contract("asSdkApiError", "an SDK API error rebuilt from its name, message, status and code reads as the SDK's own", "§1 Status handling", async () => {
    const para = await offlineInstance();
    pointSdkAt(para, api.url);
    api.route = () => ({ status: 429, body: {} });
    const limited = (await internals.fetchPendingTransaction(para, "u1", "ptx-1").catch((error: unknown) => error)) as Error;
    const failure = internals.sdkApiFailureOf(limited)!;
    const rebuilt = internals.asSdkApiError(Object.assign(new Error(limited.message), { name: limited.name }), failure);
    expect(internals.sdkApiFailureOf(rebuilt)).toEqual(internals.sdkApiFailureOf(limited));
    expect(rebuilt.name).toBe("ParaApiError");
  });

  contract("sdkApiFailureOf", "no answer from Para rejects with ParaApiError carrying no status and the transport's code", "§1 Status handling", async () => {
    const para = await offlineInstance();
    const gone = await startStubApi();
    await gone.close();
    pointSdkAt(para, gone.url);
    const failure = await internals.fetchPendingTransaction(para, "u1", "ptx-1").catch((error: unknown) => error);
    expect(internals.sdkApiFailureOf(failure)).toEqual({ status: undefined, code: "ECONNREFUSED" });
  });

  contract("isSdkWorkerCrash", "a worker that throws fails every pending job with `worker error with workId …`", "§7.3", async () => {
    running = await workerRunning(BUNDLES.crash);
    const para = await offlineInstance(WALLETS, CURRENT);
    const error = await internals.signMessageWithoutReview(para, "w-evm", "aGk=").catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^worker error with workId /);
    expect(internals.isSdkWorkerCrash(error)).toBe(true);
    await running.exited;
  });

  contract("isSdkWorkerCrash", "a worker that exits fails every pending job with `worker exited unexpectedly …`", "§7.3", async () => {
    running = await workerRunning(BUNDLES.exit);
    const para = await offlineInstance(WALLETS, CURRENT);
    const error = await internals.signMessageWithoutReview(para, "w-evm", "aGk=").catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^worker exited unexpectedly with code 3/);
    expect(internals.isSdkWorkerCrash(error)).toBe(true);
    expect(internals.isSdkWorkerCrash(new Error("job failed"))).toBe(false);
  });

  contract("isSdkWorkerTimeout", "a job the worker never answers fails after 90 s with `worker operation timed out …`", "§7.6, §2.3", async () => {
    running = await workerRunning(BUNDLES.silent);
    const para = await offlineInstance(WALLETS, CURRENT);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const job = internals.signMessageWithoutReview(para, "w-evm", "aGk=").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(90_000);
    const error = await job;
    expect((error as Error).message).toMatch(/^worker operation timed out after 90000ms/);
    expect(internals.isSdkWorkerTimeout(error)).toBe(true);
    expect(internals.isSdkWorkerCrash(error)).toBe(false);
  });

  contract("isSdkWalletLookupError", "the wallet check's refusals read `does not exist`, `is not owned`, `no valid wallet id found`", "§6", async () => {
    const para = await offlineInstance(WALLETS, CURRENT);
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(internals.isSdkWalletLookupError(thrown(() => offline(para).findWalletId("w-missing")))).toBe(true);
    expect(internals.isSdkWalletLookupError(thrown(() => offline(para).findWalletId("w-other")))).toBe(true);
    const empty = await offlineInstance();
    expect(internals.isSdkWalletLookupError(thrown(() => offline(empty).findWalletId()))).toBe(true);
    expect(internals.isSdkWalletLookupError(new Error("worker error with workId x"))).toBe(false);
  });

  contract(
    "initSdkWorker",
    "setupWorker(ctx, onResult, onError, workId, errorContext) with a bare context downloads the env's bundle and answers INIT",
    "§2.3, §7.1 step 3, §7.2",
    async () => {
      const wrapper = require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as { setupWorker?: { length: number } };
      expect(wrapper.setupWorker?.length).toBe(5);
      running = await workerRunning(BUNDLES.echo);
      expect(running.fetched).toEqual(["http://localhost:3003/static/js/mpcWorkerServer-bundle.js"]);
      // Warming again reuses the living worker: no second download.
      expect(await warmSigningWorker("DEV", API_KEY)).toBe(running.worker);
      expect(running.fetched).toHaveLength(1);
    },
  );

  contract("resetSdkWorker", "resetWorker() terminates the process-wide worker, and the next job starts a new one", "§2.3, §14.3", async () => {
    const wrapper = require("@getpara/server-sdk/dist/cjs/workers/workerWrapper.js") as { resetWorker?: { length: number } };
    expect(wrapper.resetWorker?.length).toBe(0);
    const first = await workerRunning(BUNDLES.echo);
    internals.resetSdkWorker();
    await first.exited;
    running = await workerRunning(BUNDLES.echo);
    expect(running.worker).not.toBe(first.worker);
    expect(running.fetched).toHaveLength(1);
  });

  test("every accessor of sdk-internals.ts has a contract check here", () => {
    const accessors = Object.entries(internals)
      .filter(([, value]) => typeof value === "function")
      .map(([name]) => name);
    expect(
      accessors.filter((name) => !CHECKED.has(name)),
      "accessors in src/para/sdk/sdk-internals.ts without a check in this file",
    ).toEqual([]);
  });
});

describe("the public SDK API the adapter relies on", () => {
  const instance = new ParaServer(Environment.DEV, API_KEY, { useStorageOverrides: true }) as unknown as Record<string, unknown>;
  const member = (name: string) => instance[name] ?? (ParaServer.prototype as unknown as Record<string, unknown>)[name];

  test.each([
    ["touchSession", "Para's session check with its answer (who the cookie belongs to)", "§4"],
    ["fetchWallets", "Para's list of the user's wallets", "§6"],
    ["importSession", "the session import", "§3"],
    ["exportSession", "the session export (synchronous)", "§9"],
    ["keepSessionAlive", "session extension", "§5"],
    ["issueJwt", "JWT issuance", "§8"],
    ["onStatePhaseChange", "knowing when a pre-built instance has settled", "§2.2"],
  ])("ParaServer#%s is a function (%s)", (name, what, section) => {
    expect(typeof member(name), broken(`ParaServer#${name}: ${what}`, section)).toBe("function");
  });

  test("the environments the config maps to exist", () => {
    for (const env of ["DEV", "SANDBOX", "BETA", "PROD"] as const) expect(Environment[env], broken(`Environment.${env} exists`, "§0")).toBeDefined();
  });
});

describe("the SDK boundary in src/", () => {
  const root = fileURLToPath(new URL("../../src", import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
    });
  /** A file's code without its comments (comments may name the SDK and its members). */
  const code = (path: string) =>
    readFileSync(path, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

  test("only src/para/sdk/ imports the SDK", () => {
    const importers = files(root)
      .filter((path) => /["']@getpara\//.test(code(path)))
      .map((path) => relative(root, path));
    expect(importers.filter((path) => !path.startsWith("para/sdk/"))).toEqual([]);
  });

  test("only src/para/sdk/sdk-internals.ts names the SDK's private members, deep imports and error texts", () => {
    const internalNames =
      /signMessageInner|baseRequest|getPendingTransaction|findWalletId|platformUtils|retrieveSessionCookie|workerWrapper|isParaApiError|worker error with|worker exited|worker operation timed out/;
    const reaching = files(root)
      .filter((path) => internalNames.test(code(path)))
      .map((path) => relative(root, path));
    expect(reaching).toEqual(["para/sdk/sdk-internals.ts"]);
  });
});
