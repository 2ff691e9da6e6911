/**
 * System (b): the per-request SDK pattern of Para's server docs, where an
 * Express route builds a fresh ParaServer, imports the caller's session and
 * asks it what it needs. Express is not a dependency of this repo, so the
 * routes sit on node:http, which serves the same HTTP/1.1 JSON; what is
 * measured is the SDK pattern, not Express's router.
 *
 * Like the docs, it does not warm the SDK's signing worker: the first
 * requests download the worker bundle themselves (the cold-start storm).
 *
 * Env: PARA_API_KEY, PARA_JWT_AUDIENCE, PORT, LOG_LEVEL.
 */
import * as http from "node:http";
import { format } from "node:util";
import { Environment, Para as ParaServer } from "@getpara/server-sdk";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createRemoteJWKSet, jwtVerify } from "jose";

const apiKey = process.env["PARA_API_KEY"] ?? "";
const audience = process.env["PARA_JWT_AUDIENCE"] ?? "";
const port = Number(process.env["PORT"] ?? "3000");
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const debugEnabled = LEVELS.indexOf(process.env["LOG_LEVEL"] ?? "info") <= LEVELS.indexOf("debug");

// Route the SDK's console output exactly as para-signer does: to the debug
// level only, so with LOG_LEVEL above debug it costs a call and nothing else.
const forward = debugEnabled
  ? (...args: unknown[]) => void process.stdout.write(`${JSON.stringify({ level: "debug", source: "console", msg: format(...args) })}\n`)
  : () => undefined;
console.log = console.info = console.warn = console.error = console.debug = console.trace = forward;

// As in the docs: one remote key set for the app, cached by jose.
const JWKS = createRemoteJWKSet(new URL("http://localhost:8080/.well-known/jwks.json"));

type Body = Record<string, unknown>;
type Reply = [status: number, body: unknown];

async function checkSession(body: Body): Promise<Reply> {
  const para = new ParaServer(Environment.DEV, apiKey);
  await para.importSession(String(body["session"]));
  const active = await para.isSessionActive();
  if (!active) return [401, { error: "session not active" }];
  return [200, { active, userId: para.getUserId() }];
}

async function signMessage(body: Body): Promise<Reply> {
  const para = new ParaServer(Environment.DEV, apiKey);
  await para.importSession(String(body["session"]));
  if (!(await para.isSessionActive())) return [401, { error: "session not active" }];
  let messageBase64 = String(body["messageBase64"]);
  if (body["format"] === "EIP191") messageBase64 = Buffer.from(eip191Digest(Buffer.from(messageBase64, "base64"))).toString("base64");
  const result = await para.signMessage({ walletId: String(body["walletId"]), messageBase64 });
  if ("signature" in result) return [200, { signature: result.signature }];
  return [409, { error: "transaction review required" }];
}

async function verifySession(body: Body): Promise<Reply> {
  try {
    const { payload } = await jwtVerify(String(body["jwt"]), JWKS, { audience });
    return [200, { userId: payload.sub ?? null }];
  } catch {
    return [401, { error: "invalid jwt" }];
  }
}

function eip191Digest(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  return keccak_256(Buffer.concat([prefix, message]));
}

const ROUTES: Record<string, (body: Body) => Promise<Reply>> = {
  "/check-session": checkSession,
  "/sign-message": signMessage,
  "/verify-session": verifySession,
};

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const route = req.method === "POST" ? ROUTES[req.url ?? ""] : undefined;
    const reply: Promise<Reply> = route
      ? Promise.resolve().then(() => route(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body))
      : Promise.resolve([404, { error: "not found" }]);
    reply
      .catch((): Reply => [500, { error: "internal error" }])
      .then(([status, body]) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      });
  });
});
// Node's default keep-alive timeout (5 s) would close idle sockets between bench steps; keep them like a proxy would.
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
// The SDK's worker thread keeps the loop alive forever (docs/para-sdk.md §2.3): exit explicitly.
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
