// The server side of body-flood.test.ts, as its own process so its memory is measured alone: the transport test
// server (health + an instant CheckSession, no Para) with the SIGNER_* limits from its environment. It reports its
// port over IPC, answers "stats" with its memory and transport figures, and stops on "stop".
import { startTransportServer } from "../transport/transport-server.js";

const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith("SIGNER_") && e[1] !== undefined));
const running = await startTransportServer(env);
const send = (message: unknown) => process.send?.(message);
send({ port: running.port });
process.on("message", (message) => {
  if (message === "stats") send({ memory: process.memoryUsage(), transport: running.server.transportStats() });
  if (message === "gc") {
    globalThis.gc?.();
    send({ gc: true });
  }
  if (message === "stop") void running.stop().then(() => process.exit(0));
});
