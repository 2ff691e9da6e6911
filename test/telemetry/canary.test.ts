import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { forms, secretsOf } from "../support/canary.js";
import { localPara } from "../support/local-para-admin.js";
import { installTestTelemetry } from "../support/otel.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const telemetry = installTestTelemetry();

describe("canary: nothing exported (spans, metrics, logs) carries session data", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("every RPC and error path, then every exported string is searched", async () => {
    const secrets: Array<string | Uint8Array> = [h.key.secretApiKey];
    const swallow = (p: Promise<unknown>) => p.catch(() => undefined);
    const mint = async (opts = {}) => {
      const m = await h.mint(opts);
      secrets.push(...secretsOf(m));
      return m;
    };
    const message = new TextEncoder().encode("CANARY-MESSAGE-telemetry-5d1e0b");
    secrets.push(message);
    const a = await mint({ email: "canary.tele@example.com" });
    for (const walletType of [WalletType.EVM, WalletType.SOLANA]) {
      const res = await h.grpc.signMessage({ session: a.session, message, walletType, format: walletType === WalletType.EVM ? MessageFormat.EIP191 : MessageFormat.RAW });
      secrets.push(res.signature, res.encodedSignature);
    }
    await h.grpc.checkSession({ session: a.session, extend: true });
    const jwt = await h.grpc.issueJwt({ session: a.session });
    secrets.push(jwt.token);
    await h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token } });
    await h.grpc.verifySession({ credential: { case: "verificationToken", value: a.verificationToken } });
    await h.grpc.verifyWallet({ address: a.wallets[0]!.address });
    await swallow(h.grpc.signMessage({ session: a.sessionWithoutSigners, message }));
    await swallow(h.grpc.signMessage({ session: a.session, message, walletId: "CANARY-WALLET-7c1d33aa" }));
    await swallow(h.grpc.verifySession({ credential: { case: "verificationToken", value: "CANARY-TOKEN-e3b0c442" } }));
    await swallow(h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token.slice(0, -3) + "AAA" } }));
    secrets.push("CANARY-WALLET-7c1d33aa", "CANARY-TOKEN-e3b0c442");
    const b = await mint();
    await localPara.revokeSession(b.sessionCookie);
    await swallow(h.grpc.signMessage({ session: b.session, message }));
    const c = await mint();
    await localPara.addFault({ endpoint: "messagesSign", apiKey: h.key.apiKey, userId: c.userId, status: 403, body: { echo: c.sessionCookie } });
    await swallow(h.grpc.signMessage({ session: c.session, message, format: MessageFormat.EIP191 }));
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 429, body: { echo: c.session }, times: 1 });
    await swallow(h.grpc.checkSession({ session: c.session }));
    await localPara.clearFaults(h.key.apiKey);

    const spans = telemetry.spans();
    expect(spans.length).toBeGreaterThan(20);
    const metricsJson = JSON.stringify(await telemetry.collectMetrics());
    const exported = [
      JSON.stringify(
        spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, links: s.links, status: s.status, resource: s.resource.attributes })),
      ),
      metricsJson,
      ...h.logs,
    ].join("\n");
    for (const secret of secrets) {
      for (const form of forms(secret)) expect(exported, `leaked ${form.slice(0, 6)}…`).not.toContain(form);
    }
  });
});
