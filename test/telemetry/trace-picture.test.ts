import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { renderTraceSvg, waterfall } from "../../scripts/trace-svg.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();
let h: SignerHarness;
beforeAll(async () => {
  h = await startSignerHarness();
});
afterAll(() => h.stop());

test("the README's trace picture (npm run -s trace-picture) draws a real SignMessage trace and nothing secret", async () => {
  const minted = await h.mint();
  const res = await h.grpc.signMessage({
    session: minted.session,
    message: new TextEncoder().encode("hello"),
    walletType: WalletType.EVM,
    format: MessageFormat.EIP191,
  });
  const spans = telemetry.spans();
  const root = spans.find((s) => s.kind === SpanKind.SERVER && s.name === "para.signer.v1.SignerService/SignMessage")!;
  const rows = waterfall(spans, root);
  expect(rows.map((r) => r.span.name)).toEqual(expect.arrayContaining(["para.session.import", "para touch", "para keep_alive", "para.sign"]));
  const svg = renderTraceSvg(spans, root, "SignMessage");
  expect(svg.startsWith("<svg")).toBe(true);
  for (const secret of [minted.session, minted.userId, minted.wallets[0]!.address, minted.wallets[0]!.id, res.encodedSignature]) {
    expect(svg).not.toContain(secret);
  }
});
