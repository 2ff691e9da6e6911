// Binds one handler to one port on several loopback addresses (the SDK says "localhost", which may resolve to
// either family, and fetches main.wasm from 127.0.0.1). Tracks every socket so close() is prompt even with
// keep-alive clients and hung (fault-injected) requests.
import { createServer, type RequestListener, type Server } from "node:http";
import type { Socket } from "node:net";

export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

// Codes meaning "this machine has no such address family/address": skip that host rather than fail.
const UNAVAILABLE = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT", "EPROTONOSUPPORT"]);

function listenOne(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once("error", onError);
    server.listen({ host, port, ipv6Only: host.includes(":") }, () => {
      server.off("error", onError);
      const addr = server.address();
      resolve(typeof addr === "object" && addr !== null ? addr.port : port);
    });
  });
}

export async function listenAll(handler: RequestListener, hosts: readonly string[], port: number): Promise<Listener> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let bound = port;
  const closeAll = async (): Promise<void> => {
    for (const s of servers) s.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.once("close", () => r()) : r()))));
  };
  for (const host of hosts) {
    const server = createServer({ keepAlive: true }, handler);
    // Longer than Node's 5 s default, so pooled client sockets rarely race a server-side idle close.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    try {
      // Port 0: the first host picks a free port and the others share it, so one URL serves all.
      bound = await listenOne(server, host, bound);
      servers.push(server);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== undefined && UNAVAILABLE.has(code)) continue;
      await closeAll();
      if (code === "EADDRINUSE") {
        throw new Error(`local Para backend: port ${bound} is already in use on ${host} (is another para-signer or local backend running?)`);
      }
      throw new Error(`local Para backend: cannot listen on ${host}:${bound}: ${(e as Error).message}`);
    }
  }
  if (servers.length === 0) throw new Error(`local Para backend: none of ${hosts.join(", ")} is available for port ${port}`);
  return { port: bound, close: closeAll };
}
