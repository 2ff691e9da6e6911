import type * as http2 from "node:http2";
import type { Http2Config } from "../config/config.js";

/**
 * Connection hygiene for one HTTP/2 session: close it after a long idle
 * spell, and ping it periodically so a peer that vanished without a FIN
 * (a killed pod, a dropped NAT entry) is found and its resources freed.
 * Node answers the peer's own pings by itself.
 */
export function watchSession(session: http2.Http2Session, config: Http2Config): void {
  session.setTimeout(config.idleTimeoutMs, () => session.close());
  if (config.pingIntervalMs === 0) return;
  const timer = setInterval(() => {
    if (session.closed || session.destroyed) return;
    const deadline = setTimeout(() => session.destroy(), config.pingTimeoutMs).unref();
    const sent = session.ping((error) => {
      clearTimeout(deadline);
      if (error && !session.destroyed) session.destroy();
    });
    if (!sent) clearTimeout(deadline);
  }, config.pingIntervalMs).unref();
  session.once("close", () => clearInterval(timer));
}
