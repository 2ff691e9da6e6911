// The portal port: the worker bundle the SDK downloads and evals, a minimal main.wasm, and the review flow's
// prime worker. The SDK sends no API key here, so only unscoped faults reach these.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "./backend.js";
import { sendJson, sendText } from "./http-util.js";
import { workerBundle } from "./worker-bundle.js";

// 46 bytes: a module exporting memory `mem` (1 page) and `run(i32, i32)`, enough for Go's wasm_exec.js (docs/para-sdk.md §13).
const MAIN_WASM = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x06,
  0x01,
  0x60,
  0x02,
  0x7f,
  0x7f,
  0x00, // type: (i32, i32) -> ()
  0x03,
  0x02,
  0x01,
  0x00, // function 0 has type 0
  0x05,
  0x03,
  0x01,
  0x00,
  0x01, // memory: min 1 page
  0x07,
  0x0d,
  0x02,
  0x03,
  0x6d,
  0x65,
  0x6d,
  0x02,
  0x00,
  0x03,
  0x72,
  0x75,
  0x6e,
  0x00,
  0x00, // exports mem, run
  0x0a,
  0x04,
  0x01,
  0x02,
  0x00,
  0x0b, // code: empty body
]);

const PRIME_WORKER = "/* local Para: prime worker stand-in; node-forge falls back to in-thread prime generation */\n";

async function handle(backend: Backend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "GET") return sendJson(res, 404, { message: "not found" });
  switch (path) {
    case "/static/js/mpcWorkerServer-bundle.js":
      backend.stats.count("bundle", undefined);
      if ((await backend.faults.apply("bundle", undefined, res)) !== "continue") return;
      return sendText(res, "application/javascript; charset=utf-8", workerBundle(backend.apiUrl));
    case "/static/js/main.wasm":
      backend.stats.count("wasm", undefined);
      if ((await backend.faults.apply("wasm", undefined, res)) !== "continue") return;
      return sendText(res, "application/wasm", MAIN_WASM);
    case "/static/js/prime.worker.min.js":
      backend.stats.count("primeWorker", undefined);
      return sendText(res, "application/javascript; charset=utf-8", PRIME_WORKER);
    default:
      return sendJson(res, 404, { message: "not found" });
  }
}

export function portalHandler(backend: Backend) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(backend, req, res).catch(() => sendJson(res, 500, { message: "local Para: internal error" }));
  };
}

export { MAIN_WASM };
