import type * as net from "node:net";
import type { RefusalRecorder } from "./refusals.js";

/**
 * Caps the connections open at once. Each one may carry up to the HTTP/2
 * stream limit, so connections times streams is what bounds the per-stream
 * state a process can be made to hold. Excess sockets are closed as they
 * are accepted (net.Server `maxConnections`), before any TLS or HTTP/2 work,
 * and counted.
 */
export function capConnections(server: net.Server, maxConnections: number, refusals: RefusalRecorder): void {
  server.maxConnections = maxConnections;
  server.on("drop", () => refusals.connection());
}
