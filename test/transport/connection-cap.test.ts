// SIGNER_MAX_CONNECTIONS: connections past the cap are closed as they arrive and counted; the ones already open keep
// working, and a slot freed is usable again.
import * as http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, expect, test } from "vitest";
import { HealthCheckRequestSchema } from "../../gen/grpc/health/v1/health_pb.js";
import { connectRaw, grpcFrame } from "../hostile/raw-grpc.js";
import { HEALTH_CHECK, startTransportServer, type TransportServer } from "./transport-server.js";

let running: TransportServer;
beforeAll(async () => {
  running = await startTransportServer({ SIGNER_MAX_CONNECTIONS: "2" });
});
afterAll(() => running.stop());

/** Resolves "settings" when the server's SETTINGS arrive, "closed" if the connection ends first. */
function attempt(port: number): Promise<{ outcome: "settings" | "closed"; session: http2.ClientHttp2Session }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined);
  return new Promise((resolve) => {
    session.once("remoteSettings", () => resolve({ outcome: "settings", session }));
    session.once("close", () => resolve({ outcome: "closed", session }));
  });
}

async function healthStatus(session: http2.ClientHttp2Session): Promise<number | undefined> {
  const body = grpcFrame(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "" })));
  const req = session.request({ ":method": "POST", ":path": HEALTH_CHECK, "content-type": "application/grpc", te: "trailers" });
  return new Promise((resolve) => {
    let code: number | undefined;
    req.on("trailers", (h) => (code = Number(h["grpc-status"])));
    req.on("data", () => undefined);
    req.on("close", () => resolve(code));
    req.end(body);
  });
}

test("a connection past the cap is closed at once; open ones keep serving; a freed slot is reusable", async () => {
  const a = await connectRaw(running.port);
  const b = await connectRaw(running.port);
  const third = await attempt(running.port);
  expect(third.outcome).toBe("closed");
  expect(running.server.transportStats().refused["connections"]).toBe(1);
  expect(await healthStatus(a)).toBe(0);
  expect(await healthStatus(b)).toBe(0);

  a.destroy();
  // The server counts a connection until its socket has closed on its side.
  let next: Awaited<ReturnType<typeof attempt>> | undefined;
  for (let i = 0; i < 50 && next?.outcome !== "settings"; i++) {
    next?.session.destroy();
    await new Promise((r) => setTimeout(r, 50));
    next = await attempt(running.port);
  }
  expect(next?.outcome).toBe("settings");
  expect(await healthStatus(next!.session)).toBe(0);
  next!.session.destroy();
  b.destroy();
});
