// The transport's bounds on request bodies, each on its own: the per-RPC size limit (by declared length, before the
// body is read), the body-read timeout, and the process-wide buffered-bytes cap with its reserve for health checks.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import * as http2 from "node:http2";
import { afterEach, describe, expect, test } from "vitest";
import { Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { CheckSessionRequestSchema, SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { connectRaw, grpcFrame, rawCall } from "../hostile/raw-grpc.js";
import { until } from "../support/signer-harness.js";
import { prefix, stalledCall } from "./stalled-call.js";
import { CHECK_SESSION, HEALTH_CHECK, startTransportServer, type TransportServer } from "./transport-server.js";

// Defaults: 64 KiB session + 64 KiB message + 4 KiB overhead.
const SIGNER_LIMIT = 64 * 1024 + 64 * 1024 + 4 * 1024;

let running: TransportServer | undefined;
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await running?.stop();
  running = undefined;
});

async function start(env: Record<string, string> = {}) {
  running = await startTransportServer(env);
  return running;
}

async function raw(port: number) {
  const session = await connectRaw(port);
  sessions.push(session);
  return session;
}

describe("per-RPC request size", () => {
  test("a gRPC message declared over the method's limit is refused RESOURCE_EXHAUSTED before its body is sent", async () => {
    const { port, server } = await start();
    // Only the prefix and a few bytes go out; the stream is never ended. The answer must come anyway.
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.concat([prefix(SIGNER_LIMIT + 1), Buffer.alloc(16)]));
    const result = await call.result;
    expect(result.grpcStatus).toBe(Code.ResourceExhausted);
    // Closed by the server with NO_ERROR after the status (RFC 9113 §8.1), not left open for the rest of the upload.
    expect(result.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(server.transportStats().refused["message_too_large"]).toBe(1);
    expect(server.transportStats().bufferedBytes).toBe(0);
  });

  test("a declared 4 MB message (under SIGNER_MAX_WIRE_BYTES) is refused too", async () => {
    const { port } = await start();
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.concat([prefix(4_000_000), Buffer.alloc(1024)]));
    expect((await call.result).grpcStatus).toBe(Code.ResourceExhausted);
  });

  test("a message at the limit is read and served", async () => {
    const { port } = await start();
    const session = "x".repeat(64 * 1024);
    const body = grpcFrame(toBinary(CheckSessionRequestSchema, create(CheckSessionRequestSchema, { session })));
    expect(body.length - 5).toBeLessThanOrEqual(SIGNER_LIMIT);
    const result = await rawCall(await raw(port), "CheckSession", body);
    expect(result.grpcStatus).toBe(0);
  });

  test("the limit follows SIGNER_MAX_SESSION_BYTES and SIGNER_MAX_MESSAGE_BYTES", async () => {
    const { port } = await start({ SIGNER_MAX_SESSION_BYTES: "1024", SIGNER_MAX_MESSAGE_BYTES: "32" });
    const limit = 1024 + 32 + 4 * 1024;
    const over = stalledCall(await raw(port), CHECK_SESSION, Buffer.concat([prefix(limit + 1), Buffer.alloc(8)]));
    expect((await over.result).grpcStatus).toBe(Code.ResourceExhausted);
    const within = grpcFrame(toBinary(CheckSessionRequestSchema, create(CheckSessionRequestSchema, { session: "x".repeat(limit - 16) })));
    expect((await rawCall(await raw(port), "CheckSession", within)).grpcStatus).toBe(0);
  });

  test("more bytes than one message on a unary call are refused, whatever the prefixes say", async () => {
    const { port } = await start({ SIGNER_MAX_SESSION_BYTES: "1024", SIGNER_MAX_MESSAGE_BYTES: "32" });
    const small = grpcFrame(Buffer.alloc(4000));
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.concat([small, small]));
    expect((await call.result).grpcStatus).toBe(Code.ResourceExhausted);
  });

  test("health requests get a small limit (1 KiB)", async () => {
    const { grpc } = await start();
    const health = createClient(Health, grpc);
    await expect(health.check({ service: "x".repeat(2048) })).rejects.toMatchObject({ code: Code.ResourceExhausted });
    expect((await health.check({ service: "x".repeat(900) })).status).toBe(S.SERVING);
  });

  test("Connect protocol: a content-length over the limit is refused before any body byte is read", async () => {
    const { port } = await start();
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.alloc(0), {
      "content-type": "application/proto",
      "connect-protocol-version": "1",
      "content-length": String(SIGNER_LIMIT + 1),
    });
    const result = await call.result;
    expect(result.connectCode).toBe("resource_exhausted");
  });

  test("Connect protocol without content-length: counted as it arrives (JSON gets twice the limit)", async () => {
    const { port } = await start({ SIGNER_MAX_SESSION_BYTES: "1024", SIGNER_MAX_MESSAGE_BYTES: "32" });
    const limit = 1024 + 32 + 4 * 1024;
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.alloc(2 * limit + 1, 0x20), {
      "content-type": "application/json",
      "connect-protocol-version": "1",
    });
    expect((await call.result).connectCode).toBe("resource_exhausted");
  });

  test("a large SignerService call over the Connect client is refused, a normal one served", async () => {
    const { connect } = await start();
    const client = createClient(SignerService, connect);
    await expect(client.checkSession({ session: "x".repeat(SIGNER_LIMIT + 10) })).rejects.toMatchObject({ code: Code.ResourceExhausted });
    expect((await client.checkSession({ session: "x".repeat(1000) })).active).toBe(true);
  });
});

describe("body read timeout", () => {
  test("a body not complete within SIGNER_BODY_READ_TIMEOUT_MS is refused DEADLINE_EXCEEDED and its bytes released", async () => {
    const { port, server } = await start({ SIGNER_BODY_READ_TIMEOUT_MS: "300" });
    const call = stalledCall(await raw(port), CHECK_SESSION, Buffer.concat([prefix(100_000), Buffer.alloc(50_000)]));
    await until(() => server.transportStats().bufferedBytes > 0, 5_000);
    const result = await call.result; // the stream closes although the client never ends it
    expect(result.grpcStatus).toBe(Code.DeadlineExceeded);
    expect(result.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(server.transportStats().refused["body_timeout"]).toBe(1);
    expect(server.transportStats().bufferedBytes).toBe(0);
  });

  test("a body that completes in time is served", async () => {
    const { grpc } = await start({ SIGNER_BODY_READ_TIMEOUT_MS: "300" });
    expect((await createClient(Health, grpc).check({ service: "" })).status).toBe(S.SERVING);
  });
});

describe("buffered-bytes cap", () => {
  const CAP = 64 * 1024; // the smallest allowed (a connection may then hold all of it; the small-body reserve is 1 MiB)

  test("a stream that would take the process over the cap is refused RESOURCE_EXHAUSTED; health and small calls still answer", async () => {
    const { port, server, grpc } = await start({ SIGNER_MAX_BUFFERED_BYTES: String(CAP) });
    const session = await raw(port);
    const chunk = Buffer.concat([prefix(60_000), Buffer.alloc(25_000)]);
    const first = stalledCall(session, CHECK_SESSION, chunk);
    await until(() => server.transportStats().bufferedBytes >= chunk.length, 5_000);
    const second = stalledCall(session, CHECK_SESSION, chunk);
    await until(() => server.transportStats().bufferedBytes >= 2 * chunk.length, 5_000);
    // 2 × 25 KiB held; a third 25 KiB would pass 64 KiB.
    const third = stalledCall(session, CHECK_SESSION, chunk);
    expect((await third.result).grpcStatus).toBe(Code.ResourceExhausted);
    expect(server.transportStats().refused["buffered_bytes"]).toBe(1);

    // Small bodies use the reserve: health and an ordinary call on a fresh connection are served.
    expect((await createClient(Health, grpc).check({ service: "" })).status).toBe(S.SERVING);
    expect((await createClient(SignerService, grpc).checkSession({ session: "x".repeat(8000) })).active).toBe(true);

    const stats = server.transportStats();
    expect(stats.peakBufferedBytes).toBeLessThanOrEqual(stats.maxBufferedBytes + stats.reserveBytes);
    // The held streams give their bytes back when they go.
    first.stream.close(http2.constants.NGHTTP2_CANCEL);
    second.stream.close(http2.constants.NGHTTP2_CANCEL);
    await until(() => server.transportStats().bufferedBytes === 0, 5_000);
  });

  test("a raw health check is served while the cap is spent", async () => {
    const { port, server } = await start({ SIGNER_MAX_BUFFERED_BYTES: String(CAP) });
    const session = await raw(port);
    const held = [0, 1].map(() => stalledCall(session, CHECK_SESSION, Buffer.concat([prefix(60_000), Buffer.alloc(30_000)])));
    await until(() => server.transportStats().bufferedBytes >= 60_000, 5_000);
    const body = grpcFrame(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "" })));
    const s = await raw(port);
    const req = s.request({ ":method": "POST", ":path": HEALTH_CHECK, "content-type": "application/grpc", te: "trailers" });
    const status = await new Promise<number | undefined>((resolve) => {
      let code: number | undefined;
      req.on("trailers", (h) => (code = Number(h["grpc-status"])));
      req.on("response", (h) => h["grpc-status"] !== undefined && (code = Number(h["grpc-status"])));
      req.on("data", () => undefined);
      req.on("close", () => resolve(code));
      req.end(body);
    });
    expect(status).toBe(0);
    for (const h of held) h.stream.close(http2.constants.NGHTTP2_CANCEL);
  });
});
