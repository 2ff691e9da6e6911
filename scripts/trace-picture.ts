/**
 * `npm run -s trace-picture`: renders docs/trace-signmessage.svg from a real trace. It starts the service in local
 * mode (the embedded Para backend on ports 8080 and 3003, as `npm start` does; stop anything else using them),
 * records spans in memory, makes one SignMessage (EIP-191, EVM) with a freshly minted session after a warm-up call,
 * and draws that call's trace as a waterfall.
 */
import { writeFileSync } from "node:fs";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { HealthCheckResponse_ServingStatus as S } from "../gen/grpc/health/v1/health_pb.js";
import { MessageFormat, SignerService, WalletType } from "../gen/para/signer/v1/signer_service_pb.js";
import { envToConfig } from "../src/config/config.js";
import { startService } from "../src/runtime/service.js";
import { createLogger } from "../src/telemetry/logger.js";
import { renderTraceSvg } from "./trace-svg.js";

const OUT = new URL("../docs/trace-signmessage.svg", import.meta.url);

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const service = await startService(envToConfig({ PORT: "0", LOG_LEVEL: "silent" }), { logger: createLogger("silent") });
try {
  for (let i = 0; i < 400 && service.health.get("") !== S.SERVING; i++) await new Promise((r) => setTimeout(r, 50));
  const signer = createClient(SignerService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${service.address.port}` }));
  const mint = async () => {
    const res = await fetch("http://localhost:8080/_local/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    return ((await res.json()) as { session: string }).session;
  };
  const request = (session: string) => ({ session, message: new TextEncoder().encode("hello"), walletType: WalletType.EVM, format: MessageFormat.EIP191 });
  await signer.signMessage(request(await mint())); // warm-up: the first call also pays one-off costs
  await new Promise((r) => setTimeout(r, 200)); // let the pool refill
  const session = await mint();
  exporter.reset();
  await signer.signMessage(request(session));
  const spans = exporter.getFinishedSpans();
  const root = spans.find((s) => s.kind === SpanKind.SERVER && s.name === "para.signer.v1.SignerService/SignMessage");
  if (!root) throw new Error("no SignMessage server span was recorded");
  const svg = renderTraceSvg(spans, root, "SignMessage (EIP-191, EVM), local Para backend: one trace as exported");
  if (svg.includes(session)) throw new Error("the picture would contain the session");
  writeFileSync(OUT, svg);
  process.stdout.write(`wrote ${OUT.pathname} (${spans.length} spans)\n`);
} finally {
  await service.stop();
}
