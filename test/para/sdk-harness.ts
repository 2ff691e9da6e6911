import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { vi } from "vitest";
import { resetSigningWorker, warmSigningWorker } from "../../src/para/sdk/signing-worker-process.js";

/**
 * Runs the real, unmodified SDK without Para and without fixed ports, for unit tests of src/para/sdk/:
 *
 * - `startStubApi`: a stand-in for Para's API on an ephemeral port, answering what the SDK sends on construction and
 *   for a session (docs/para-sdk.md §13), with per-test routes on top. `pointSdkAt` sends an instance's API client
 *   there; called synchronously after construction, before the SDK has sent anything (docs/para-sdk.md §2.1).
 * - `stubWorkerBundle`: the signing worker's bundle, served through a stubbed global `fetch` (the SDK downloads it
 *   with `fetch` when no worker exists, docs/para-sdk.md §7.1 step 3), so jobs reach a worker thread running it.
 */

export interface StubRequest {
  method: string;
  path: string;
  /** The session id header the SDK sent (docs/para-sdk.md §1). */
  sid: string | undefined;
  /** The API key header the SDK sent. */
  apiKey: string | undefined;
}

export interface StubAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StubApi {
  /** Base URL, with the trailing slash the SDK's own base URLs have. */
  url: string;
  requests: StubRequest[];
  /** Session ids Para takes as active (for /touch). */
  sessions: Set<string>;
  /** Answers a request before the defaults do; undefined falls through. */
  route: (req: StubRequest) => StubAnswer | undefined;
  close(): Promise<void>;
}

const SUPPORTED_WALLET_TYPES = [
  { type: "EVM", optional: false },
  { type: "SOLANA", optional: true },
];

/** What Para answers by default: construction's touch/partner/logout, a session's touch, error reports. */
function defaultAnswer(api: StubApi, req: StubRequest): StubAnswer {
  const base = { partnerId: "p1", supportedWalletTypes: SUPPORTED_WALLET_TYPES, cosmosPrefix: "cosmos" };
  if (req.method === "POST" && req.path.startsWith("/touch")) {
    if (req.sid && api.sessions.has(req.sid)) {
      return { body: { isAuthenticated: true, ...base, userId: "u1", sessionLookupId: "slid-u1", sessionId: "sess-u1" } };
    }
    return { body: { isAuthenticated: false, ...base } };
  }
  if (req.method === "GET" && req.path === "/partners/p1")
    return { body: { partner: { id: "p1", supportedWalletTypes: SUPPORTED_WALLET_TYPES, cosmosPrefix: "cosmos" } } };
  if (req.method === "GET" && req.path === "/logout") return { body: {} };
  if (req.method === "POST" && req.path === "/errors/sdk") return { body: {} };
  return { status: 404, body: { message: "not found" } };
}

export async function startStubApi(): Promise<StubApi> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const sid = req.headers["x-capsule-sid"];
      const apiKey = req.headers["x-external-api-key"];
      const request: StubRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        sid: typeof sid === "string" ? sid : undefined,
        apiKey: typeof apiKey === "string" ? apiKey : undefined,
      };
      api.requests.push(request);
      const answer = api.route(request) ?? defaultAnswer(api, request);
      res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const api: StubApi = {
    url: `http://127.0.0.1:${port}/`,
    requests: [],
    sessions: new Set(),
    route: () => undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}

/** Sends an SDK instance's API client to `baseUrl` (its API host is fixed per environment, docs/para-sdk.md §0). */
export function pointSdkAt(para: unknown, baseUrl: string): void {
  const http = (para as { ctx: { client: { baseRequest: { defaults: { baseURL?: string } } } } }).ctx.client.baseRequest;
  http.defaults.baseURL = baseUrl;
}

/**
 * A worker bundle that answers every job at once: INIT with just its workId, any other with the job's envelope (all
 * but the API key) as JSON in `signature`, so a test can read what the SDK sent the worker (docs/para-sdk.md §7.2).
 */
export const ECHO_BUNDLE = `
const { parentPort } = require("worker_threads");
parentPort.on("message", (m) => {
  if (m.functionType === "INIT") return parentPort.postMessage({ workId: m.workId });
  const { apiKey, ...envelope } = m;
  parentPort.postMessage({ workId: m.workId, signature: JSON.stringify(envelope) });
});
`;

/** Serves `source` as the worker bundle through a stubbed global fetch; returns the URLs fetched. Undo with vi.unstubAllGlobals(). */
export function stubWorkerBundle(source: string): string[] {
  const fetched: string[] = [];
  vi.stubGlobal("fetch", async (url: unknown) => {
    fetched.push(String(url));
    return new Response(source);
  });
  return fetched;
}

/** A session exported in the shape of docs/para-sdk.md §3.1 (fake key shares). */
export function exportedSession(sessionCookie: string): string {
  return Buffer.from(
    JSON.stringify({
      authInfo: { auth: { email: "alice@example.com" }, authType: "email", identifier: "alice@example.com" },
      userId: "u1",
      wallets: {
        "w-evm": {
          id: "w-evm",
          type: "EVM",
          scheme: "DKLS",
          address: "0x1111111111111111111111111111111111111111",
          publicKey: "04aa",
          signer: "share-evm",
          userId: "u1",
        },
        "w-sol": { id: "w-sol", type: "SOLANA", scheme: "ED25519", address: "So1111", publicKey: "bb", signer: "share-sol", userId: "u1" },
      },
      currentWalletIds: { EVM: ["w-evm"], SOLANA: ["w-sol"] },
      sessionCookie,
      externalWallets: {},
    }),
  ).toString("base64");
}

/**
 * Stops the process-wide signing worker and waits for its exit (its "worker stopped with exit code 1" goes to the
 * file's quiet console), started on the echo bundle if none runs: afterwards nothing of the SDK prints into another
 * file's output.
 */
export async function stopSigningWorker(): Promise<void> {
  stubWorkerBundle(ECHO_BUNDLE);
  const worker = await warmSigningWorker("DEV", "dev_unit_key");
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  resetSigningWorker();
  await exited;
}
