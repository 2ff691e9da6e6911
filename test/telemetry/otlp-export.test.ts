import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { MessageFormat, SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { localPara } from "../support/local-para-admin.js";
import { spawnService, waitForHealth } from "../support/service-process.js";

const METHODS = ["SignMessage", "CheckSession", "IssueJwt", "VerifySession", "VerifyWallet"];

/** A minimal OTLP/HTTP receiver: keeps every request body by path. */
async function startReceiver() {
  const bodies: Array<{ path: string; type: string; body: Buffer }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/json" }).end(req.headers["content-type"]?.includes("json") ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

async function runServiceAndCallEachRpc(protocol: "http/json" | "http/protobuf", receiverUrl: string) {
  const key = await localPara.createApiKey();
  const service = spawnService(["--import", "tsx", "--import", "./src/runtime/otel.ts", "src/runtime/main.ts"], {
    PORT: "0",
    PARA_ENVIRONMENT: "DEV",
    PARA_API_KEY: key.apiKey,
    PARA_SECRET_API_KEY: key.secretApiKey,
    PARA_JWT_AUDIENCE: key.apiKeyId,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_SERVICE_NAME: "para-signer-e2e",
    SIGNER_DRAIN_DELAY_MS: "0",
    OTEL_METRIC_EXPORT_INTERVAL: "1000",
  });
  const port = await service.port();
  expect(await waitForHealth(port, S.SERVING)).toBe(S.SERVING);
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, idleConnectionTimeoutMs: 50 });
  const signer = createClient(SignerService, transport);
  const minted = await localPara.mintSession({ apiKey: key.apiKey });
  await signer.signMessage({ session: minted.session, message: new Uint8Array(4), format: MessageFormat.EIP191 });
  await signer.checkSession({ session: minted.session });
  const jwt = await signer.issueJwt({ session: minted.session });
  await signer.verifySession({ credential: { case: "jwt", value: jwt.token } });
  await signer.verifyWallet({ address: minted.wallets[0]!.address });
  service.child.kill("SIGTERM"); // the shutdown hook flushes the exporters
  expect(await service.exited).toBe(0);
}

describe("end to end: the preloaded OTel bootstrap exports over OTLP/HTTP", () => {
  test("http/json: the receiver gets a server span for each RPC, with the service name, and metrics", async () => {
    const receiver = await startReceiver();
    try {
      await runServiceAndCallEachRpc("http/json", receiver.url);
      const traces = receiver.bodies.filter((b) => b.path === "/v1/traces").map((b) => b.body.toString());
      const spanNames = traces.flatMap((t) =>
        (JSON.parse(t) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans.flatMap((r) =>
          r.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.name)),
        ),
      );
      for (const m of METHODS) expect(spanNames).toContain(`para.signer.v1.SignerService/${m}`);
      expect(traces.join("")).toContain("para-signer-e2e");
      expect(receiver.bodies.some((b) => b.path === "/v1/metrics" && b.body.toString().includes("rpc.server.call.duration"))).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  test("http/protobuf (the default protocol): spans arrive as protobuf", async () => {
    const receiver = await startReceiver();
    try {
      await runServiceAndCallEachRpc("http/protobuf", receiver.url);
      const traces = receiver.bodies.filter((b) => b.path === "/v1/traces");
      expect(traces.every((b) => b.type.includes("application/x-protobuf"))).toBe(true);
      const raw = Buffer.concat(traces.map((b) => b.body)).toString("latin1");
      for (const m of METHODS) expect(raw).toContain(`para.signer.v1.SignerService/${m}`);
    } finally {
      await receiver.close();
    }
  });
});
