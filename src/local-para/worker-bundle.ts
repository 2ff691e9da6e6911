// The substitute for Para's mpcWorkerServer-bundle.js (PARA_SDK §7.2-7.4, §13 "Substitute bundle contract").
// The SDK evals this text in a worker_threads Worker of whichever process fetched it, so it must be a
// self-contained CommonJS script using only Node builtins and global fetch. It reproduces the real worker's HTTP
// call (messages/sign) and its failure mode (any rejection crashes the worker thread), then replaces the opaque
// Go/WASM MPC step with a call to the emulator, which combines the user's share with its own.

export function workerBundle(apiUrl: string): string {
  return `"use strict";
// local Para substitute MPC worker bundle (generated; API base baked in at serve time)
const { parentPort } = require("worker_threads");
const { randomUUID } = require("crypto");
const API = ${JSON.stringify(apiUrl.replace(/\/+$/, ""))};

async function post(path, label, m, body) {
  const headers = { "content-type": "application/json", "x-external-api-key": String(m.apiKey), "x-para-version": "dev" };
  if (m.sessionCookie) headers["x-capsule-sid"] = String(m.sessionCookie);
  const res = await fetch(API + path, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch { data = text; }
  // Like the real worker: a non-200 rejects, and the rejection is left unhandled, crashing this thread.
  if (res.status !== 200) {
    const detail = data && typeof data === "object" && typeof data.message === "string" ? data.message : String(res.status);
    throw new Error("local Para " + label + " failed with status " + res.status + ": " + detail);
  }
  return data;
}

async function sign(m) {
  const p = m.params || {};
  const ed = m.functionType === "ED25519_SIGN";
  const message = ed ? p.base64Bytes : p.message;
  const protocolId = randomUUID();
  const body = ed
    ? { message, scheme: "ED25519", protocolId }
    : { message, scheme: null, cosmosSignDoc: null, protocolId };
  const path = "/users/" + encodeURIComponent(p.userId) + "/wallets/" + encodeURIComponent(p.walletId) + "/messages/sign";
  const presign = await post(path, "messages/sign", m, body);
  if (presign && presign.pendingTransactionId) return { workId: m.workId, pendingTransactionId: presign.pendingTransactionId };
  const out = await post("/_local/mpc/sign", "MPC sign", m, { protocolId, share: p.share, message });
  if (out && out.crashWorker) throw new Error("local Para: injected worker crash");
  if (!out || typeof out.signature !== "string") throw new Error("local Para: MPC step returned no signature");
  return { workId: m.workId, signature: out.signature };
}

async function handleMessage(m) {
  switch (m.functionType) {
    case "INIT": return { workId: m.workId };
    case "SIGN_MESSAGE":
    case "ED25519_SIGN": return sign(m);
    default: throw new Error("local Para: unsupported worker function " + m.functionType);
  }
}

parentPort.on("message", async (m) => {
  parentPort.postMessage(await handleMessage(m));
});
`;
}
