import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { forms, secretsOf } from "../support/canary.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

describe("canary: no secret reaches logs or error messages, on any RPC or error path", () => {
  let h: SignerHarness;
  const secrets: Array<string | Uint8Array> = [];
  const errors: ConnectError[] = [];
  const attempt = async (p: Promise<unknown>) => {
    try {
      return await p;
    } catch (e) {
      errors.push(ConnectError.from(e));
      return undefined;
    }
  };

  beforeAll(async () => {
    h = await startSignerHarness();
    secrets.push(h.key.secretApiKey);
  });
  afterAll(() => h.stop());

  test("exercise every RPC and error path with canary values, then search everything emitted", async () => {
    const mint = async (opts = {}) => {
      const m = await h.mint(opts);
      secrets.push(...secretsOf(m));
      return m;
    };
    const message = new TextEncoder().encode("CANARY-MESSAGE-do-not-log-7f3a9c2e");
    secrets.push(message);
    const a = await mint({ email: "canary.user@example.com" });

    // Happy paths.
    const signed = (await h.grpc.signMessage({ session: a.session, message, format: MessageFormat.EIP191 }))!;
    secrets.push(signed.signature, signed.encodedSignature);
    const sol = (await h.grpc.signMessage({ session: a.session, message, walletType: WalletType.SOLANA }))!;
    secrets.push(sol.signature, sol.encodedSignature);
    await h.grpc.checkSession({ session: a.session, extend: true });
    const jwt = await h.grpc.issueJwt({ session: a.session });
    secrets.push(jwt.token);
    await h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token } });
    await h.grpc.verifySession({ credential: { case: "verificationToken", value: a.verificationToken } });
    await h.grpc.verifyWallet({ address: a.wallets[0]!.address });

    // Error paths.
    const doc = JSON.parse(Buffer.from(a.session, "base64").toString()) as Record<string, unknown>;
    await attempt(h.grpc.checkSession({ session: Buffer.from(JSON.stringify({ ...doc, wallets: [] })).toString("base64") }));
    await attempt(h.grpc.checkSession({ session: JSON.stringify(doc) }));
    await attempt(h.grpc.checkSession({ session: a.session + "!" }));
    await attempt(h.grpc.signMessage({ session: a.sessionWithoutSigners, message: new Uint8Array(32) }));
    await attempt(h.grpc.signMessage({ session: a.session, message, walletId: "CANARY-WALLET-ID-0b7d9e" }));
    await attempt(h.grpc.signMessage({ session: a.session, message, format: MessageFormat.RAW }));
    await attempt(h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token.slice(0, -4) + "AAAA" } }));
    await attempt(h.grpc.verifySession({ credential: { case: "verificationToken", value: "CANARY-TOKEN-91c4e0aa55" } }));
    await attempt(h.grpc.verifyWallet({ address: "0xCANARYADDRESS0000000000000000000000001" }));
    secrets.push("CANARY-WALLET-ID-0b7d9e", "CANARY-TOKEN-91c4e0aa55", "0xCANARYADDRESS0000000000000000000000001");

    const b = await mint();
    await localPara.setTransactionReview(b.wallets.find((w) => w.type === "EVM")!.id, true);
    await attempt(h.grpc.signMessage({ session: b.session, message, format: MessageFormat.EIP191 }));
    const c = await mint();
    await localPara.revokeSession(c.sessionCookie);
    await attempt(h.grpc.signMessage({ session: c.session, message, format: MessageFormat.EIP191 }));
    await attempt(h.grpc.issueJwt({ session: c.session }));
    const d = await mint();
    await localPara.addFault({ endpoint: "touch", apiKey: h.key.apiKey, status: 429, body: { echo: d.sessionCookie }, times: 1 });
    await attempt(h.grpc.checkSession({ session: d.session }));
    await localPara.addFault({ endpoint: "jwt", apiKey: h.key.apiKey, status: 500, body: { echo: d.session }, times: 1 });
    await attempt(h.grpc.issueJwt({ session: d.session }));
    await localPara.addFault({ endpoint: "keepAlive", apiKey: h.key.apiKey, hang: true, times: 1 });
    await attempt(h.grpc.checkSession({ session: d.session, extend: true }, { timeoutMs: 300 }));
    await localPara.addFault({ endpoint: "messagesSign", apiKey: h.key.apiKey, userId: d.userId, status: 403, body: { echo: d.sessionCookie } });
    await attempt(h.grpc.signMessage({ session: d.session, message, format: MessageFormat.EIP191 }));
    await localPara.clearFaults(h.key.apiKey);

    expect(errors.length).toBeGreaterThanOrEqual(15);
    // Let the SDK's console output of the last calls arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const emitted = [
      ...h.logs,
      ...errors.map((e) => JSON.stringify({ message: e.rawMessage, details: e.details, metadata: [...e.metadata.entries()] })),
    ].join("\n");
    expect(h.logs.some((line) => line.includes('"source":"console"'))).toBe(true); // the SDK did talk; it was masked
    for (const secret of secrets) {
      for (const form of forms(secret)) expect(emitted, `leaked: ${form.slice(0, 6)}…`).not.toContain(form);
    }
  });
});
