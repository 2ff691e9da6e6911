// The substitute for Para's mpcWorkerServer-bundle.js (docs/para-sdk.md §7.2-7.4, §13 "Substitute bundle contract").
// The SDK evals this text in a worker_threads Worker of whichever process fetched it, so it must be a
// self-contained CommonJS script using only Node builtins and global fetch. It reproduces the real worker's HTTP
// calls (messages/sign, transactions/sign) and its failure mode (any rejection crashes the worker thread), then replaces the opaque
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
  // Like the real worker: a non-200 rejects, and the rejection is left unhandled, crashing this thread. The crash
  // message carries Para's error fields (message, code, deniedBy; nothing else of the body), as JSON, so a policy
  // denial can be told apart. (The shipped worker's message is "[object Object]" here: docs/para-sdk.md §7.6.)
  if (res.status !== 200) {
    const fields = {};
    if (data && typeof data === "object") {
      for (const k of ["message", "code", "deniedBy"]) if (typeof data[k] === "string") fields[k] = data[k];
    }
    throw new Error("local Para " + label + " failed with status " + res.status + ": " + JSON.stringify(fields));
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

// SIGN_TRANSACTION, as the real worker's walletUtils.signTransaction: Para's transactions/sign route (policies,
// review), then the MPC step, which signs the transaction's signing hash (keccak-256 of the unsigned serialization).
async function signTransaction(m) {
  const p = m.params || {};
  const protocolId = randomUUID();
  const path = "/users/" + encodeURIComponent(p.userId) + "/wallets/" + encodeURIComponent(p.walletId) + "/transactions/sign";
  const presign = await post(path, "transactions/sign", m, { transaction: p.tx, chainId: p.chainId, protocolId });
  if (presign && presign.pendingTransactionId) return { workId: m.workId, pendingTransactionId: presign.pendingTransactionId };
  const out = await post("/_local/mpc/sign", "MPC sign", m, { protocolId, share: p.share, message: p.tx });
  if (out && out.crashWorker) throw new Error("local Para: injected worker crash");
  if (!out || typeof out.signature !== "string") throw new Error("local Para: MPC step returned no signature");
  return { workId: m.workId, signature: out.signature };
}

async function handleMessage(m) {
  switch (m.functionType) {
    case "INIT": return { workId: m.workId };
    case "SIGN_MESSAGE":
    case "ED25519_SIGN": return sign(m);
    case "SIGN_TRANSACTION": return signTransaction(m);
    default: throw new Error("local Para: unsupported worker function " + m.functionType);
  }
}

parentPort.on("message", async (m) => {
  parentPort.postMessage(await handleMessage(m));
});
`;
}
