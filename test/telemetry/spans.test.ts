import { Code } from "@connectrpc/connect";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../../src/local-para/example-payloads.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness, until } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();
const S = "para.signer.v1.SignerService";

function serverSpan(method: string): ReadableSpan {
  const found = telemetry.spans().filter((s) => s.name === `${S}/${method}` && s.kind === SpanKind.SERVER);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The spans below `root`, by walking parent links. */
function descendants(root: ReadableSpan): ReadableSpan[] {
  const all = telemetry.spans();
  const out: ReadableSpan[] = [];
  const walk = (id: string) => {
    for (const s of all.filter((x) => x.parentSpanContext?.spanId === id)) {
      out.push(s);
      walk(s.spanContext().spanId);
    }
  };
  walk(root.spanContext().spanId);
  return out;
}

describe("traces: a SERVER span per call with Para child spans", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  beforeEach(() => telemetry.reset());
  afterAll(() => h.stop());

  test("SignMessage: server span with RPC conventions, children for import, each Para round trip and the signing job", async () => {
    const minted = await h.mint();
    await h.grpc.signMessage({ session: minted.session, message: new Uint8Array(10), format: MessageFormat.EIP191 });
    const span = serverSpan("SignMessage");
    expect(span.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.service": S,
      "rpc.method": "SignMessage",
      "rpc.grpc.status_code": 0,
      "server.address": "127.0.0.1",
      "server.port": h.port,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const children = descendants(span);
    const names = children.map((s) => s.name);
    expect(names).toContain("para.session.import");
    expect(names).toContain("para.sign");
    expect(names).toContain("para touch");
    expect(names).toContain("para keep_alive");
    const sign = children.find((s) => s.name === "para.sign")!;
    expect(sign.attributes).toMatchObject({ "para.wallet_type": "EVM", "para.message.length": 10, "para.outcome": "ok" });
    const touch = children.find((s) => s.name === "para touch")!;
    expect(touch.kind).toBe(SpanKind.CLIENT);
    expect(touch.attributes).toMatchObject({ "para.endpoint": "touch", "http.response.status_code": 200, "para.outcome": "ok" });
    for (const child of children) expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
  });

  test("the transaction RPCs: the signing step carries shapes only (kind, chain id, envelope, length)", async () => {
    const minted = await h.mint();
    const unsigned = exampleEvmTransaction(10, "eip2930");
    await h.grpc.signTransaction({ session: minted.session, unsignedTransaction: unsigned, chainId: 10n });
    await h.grpc.signTypedData({ session: minted.session, typedDataJson: JSON.stringify(exampleTypedData()) });
    const sol = minted.wallets.find((w) => w.type === "SOLANA")!;
    const wire = exampleSolanaTransaction(sol.address, "legacy");
    await h.grpc.signSolanaTransaction({ session: minted.session, transaction: wire });
    const signOf = (method: string) => descendants(serverSpan(method)).find((s) => s.name === "para.sign")!;
    expect(signOf("SignTransaction").attributes).toMatchObject({
      "para.wallet_type": "EVM",
      "para.sign.kind": "evm_transaction",
      "para.chain_id": 10,
      "para.transaction.type": "eip2930",
      "para.transaction.length": unsigned.length,
      "para.outcome": "ok",
    });
    expect(signOf("SignTypedData").attributes).toMatchObject({ "para.sign.kind": "typed_data", "para.outcome": "ok" });
    expect(signOf("SignSolanaTransaction").attributes).toMatchObject({
      "para.wallet_type": "SOLANA",
      "para.sign.kind": "solana_transaction",
      "para.transaction.type": "legacy",
      "para.transaction.length": wire.length,
    });
  });

  test("each RPC has its span; VerifySession(jwt) makes no Para round trip once the keys are cached", async () => {
    const minted = await h.mint();
    await h.grpc.checkSession({ session: minted.session, extend: true });
    const jwt = await h.grpc.issueJwt({ session: minted.session });
    await h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token } });
    await h.grpc.verifySession({ credential: { case: "verificationToken", value: minted.verificationToken } });
    await h.grpc.verifyWallet({ address: minted.wallets[0]!.address });
    expect(descendants(serverSpan("CheckSession")).map((s) => s.name)).toContain("para keep_alive");
    expect(descendants(serverSpan("IssueJwt")).map((s) => s.name)).toContain("para jwt");
    const verifies = telemetry.spans().filter((s) => s.name === `${S}/VerifySession`);
    expect(verifies).toHaveLength(2);
    const [byJwt, byToken] = verifies;
    expect(descendants(byJwt!)).toHaveLength(0);
    expect(descendants(byToken!).map((s) => s.name)).toEqual(["para sessions_verify"]);
    expect(descendants(serverSpan("VerifyWallet")).map((s) => s.name)).toEqual(["para wallets_verify"]);
  });

  test.each([
    { note: "INVALID_ARGUMENT", code: Code.InvalidArgument, error: false, call: (h: SignerHarness) => h.grpc.checkSession({ session: "x" }) },
    { note: "NOT_FOUND", code: Code.NotFound, error: false, call: (h: SignerHarness) => h.grpc.verifyWallet({ address: `0x${"ef".repeat(20)}` }) },
    {
      note: "UNAUTHENTICATED",
      code: Code.Unauthenticated,
      error: false,
      call: (h: SignerHarness) => h.grpc.verifySession({ credential: { case: "jwt", value: "a.b.c" } }),
    },
    {
      note: "FAILED_PRECONDITION",
      code: Code.FailedPrecondition,
      error: false,
      call: async (h: SignerHarness) => h.grpc.signMessage({ session: (await h.mint()).sessionWithoutSigners, message: new Uint8Array(32) }),
    },
    {
      note: "UNAVAILABLE",
      code: Code.Unavailable,
      error: true,
      call: async (h: SignerHarness) => {
        const m = await h.mint();
        await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, status: 503, times: 1 });
        await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 503, times: 10 });
        try {
          return await h.grpc.checkSession({ session: m.session });
        } finally {
          await localPara.clearFaults(h.key.apiKey);
        }
      },
    },
    {
      note: "DEADLINE_EXCEEDED",
      code: Code.DeadlineExceeded,
      error: true,
      call: async (h: SignerHarness) => {
        const m = await h.mint();
        await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, hang: true, times: 1 });
        return h.grpc.checkSession({ session: m.session, extend: true }, { timeoutMs: 300 });
      },
    },
  ])("$note: status code recorded; span status error = $error", async ({ code, error, call }) => {
    expect((await failure(call(h))).code).toBe(code);
    // The caller may see its deadline a moment before the server ends the span.
    await until(() => telemetry.spans().some((s) => s.kind === SpanKind.SERVER), 2_000);
    const span = telemetry.spans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(span.attributes["rpc.grpc.status_code"]).toBe(code);
    expect(span.status.code).toBe(error ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
  });

  test("a caller's W3C traceparent becomes the server span's parent", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const parentId = "b7ad6b7169203331";
    await h.grpc.verifyWallet({ address: (await h.mint()).wallets[0]!.address }, { headers: { traceparent: `00-${traceId}-${parentId}-01` } });
    const span = serverSpan("VerifyWallet");
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentId);
  });

  test("B3 from a mesh sidecar is honoured too (single header)", async () => {
    const traceId = "463ac35c9f6413ad48485a3953bb6124";
    const parentId = "0020000000000001";
    await h.connect.verifyWallet({ address: (await h.mint()).wallets[0]!.address }, { headers: { b3: `${traceId}-${parentId}-1` } });
    const span = serverSpan("VerifyWallet");
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentId);
    expect(span.attributes["rpc.system"]).toBe("connect_rpc");
  });

  test("access log lines carry the span's trace_id and span_id", async () => {
    await h.grpc.checkSession({ session: (await h.mint()).session });
    const span = serverSpan("CheckSession");
    const line = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l["rpc"] === `${S}/CheckSession` && l["span_id"] === span.spanContext().spanId);
    expect(line?.["trace_id"]).toBe(span.spanContext().traceId);
  });

  test("Solana signing records its wallet type", async () => {
    await h.grpc.signMessage({ session: (await h.mint()).session, message: new Uint8Array(5), walletType: WalletType.SOLANA });
    const sign = descendants(serverSpan("SignMessage")).find((s) => s.name === "para.sign")!;
    expect(sign.attributes["para.wallet_type"]).toBe("SOLANA");
  });
});

describe("semantic conventions opt-in (OTEL_SEMCONV_STABILITY_OPT_IN=rpc/dup)", () => {
  test("emits the newer rpc.* names alongside the legacy ones", async () => {
    const h = await startSignerHarness({ env: { OTEL_SEMCONV_STABILITY_OPT_IN: "rpc/dup" } });
    try {
      telemetry.reset();
      await failure(h.grpc.checkSession({ session: "x" }));
      const span = serverSpan("CheckSession");
      expect(span.attributes).toMatchObject({
        "rpc.system": "grpc",
        "rpc.system.name": "grpc",
        "rpc.method": `${S}/CheckSession`,
        "rpc.grpc.status_code": 3,
        "rpc.response.status_code": "INVALID_ARGUMENT",
        "error.type": "INVALID_ARGUMENT",
      });
    } finally {
      await h.stop();
    }
  });
});
