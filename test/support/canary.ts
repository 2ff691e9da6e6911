import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { base58Encode } from "../../src/encoding/base58.js";
import type { MintOptions, MintedSession } from "../../src/local-para/types.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../../src/local-para/example-payloads.js";
import { localPara } from "./local-para-admin.js";
import type { SignerHarness } from "./signer-harness.js";

/** Every secret-ish value of a minted session, including the signer shares inside it. */
export function secretsOf(m: MintedSession): string[] {
  const doc = JSON.parse(Buffer.from(m.session, "base64").toString()) as { wallets: Record<string, { signer?: string }> };
  return [
    m.session,
    m.sessionWithoutSigners,
    m.sessionCookie,
    m.verificationToken,
    m.userId,
    ...(m.email ? [m.email] : []),
    ...Object.values(doc.wallets).flatMap((w) => (w.signer ? [w.signer] : [])),
    ...m.wallets.flatMap((w) => [w.id, w.address, w.publicKey]),
  ];
}

/**
 * A value in the forms it could leak in (plain or base58, base64, base64url, hex), each cut to a 24-character
 * window: a fragment is enough to leak a secret.
 */
export function forms(value: string | Uint8Array): string[] {
  const bytes = Buffer.from(value);
  const all = [bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex"), typeof value === "string" ? value : base58Encode(value)];
  return all.filter((f) => f.length >= 12).map((f) => f.slice(0, 24));
}

/**
 * Drives every RPC through its happy path and its error paths (malformed sessions, missing shares, unknown wallets,
 * forged tokens, revoked sessions, transaction review, and Para answering 429, 500, 403 with the secret echoed in
 * its body, or hanging past the deadline), all with canary values. Returns every secret that went in or came out,
 * for the caller to search its own sink (logs, errors, spans, metrics) for. `attempt` receives each call that is
 * expected to fail. `label` keeps the canary users of different test files apart.
 */
export async function exerciseEveryPath(
  h: SignerHarness,
  label: string,
  attempt: (call: Promise<unknown>) => Promise<unknown>,
): Promise<Array<string | Uint8Array>> {
  const secrets: Array<string | Uint8Array> = [h.key.secretApiKey];
  const mint = async (opts: MintOptions = {}) => {
    const m = await h.mint(opts);
    secrets.push(...secretsOf(m));
    return m;
  };
  const message = new TextEncoder().encode(`CANARY-MESSAGE-do-not-log-${label}-7f3a9c2e`);
  secrets.push(message);
  const a = await mint({ email: `canary.${label}@example.com` });

  // Happy paths.
  const signed = await h.grpc.signMessage({ session: a.session, message, format: MessageFormat.EIP191 });
  secrets.push(signed.signature, signed.encodedSignature);
  const sol = await h.grpc.signMessage({ session: a.session, message, walletType: WalletType.SOLANA, format: MessageFormat.RAW });
  secrets.push(sol.signature, sol.encodedSignature);
  await h.grpc.checkSession({ session: a.session, extend: true });
  const jwt = await h.grpc.issueJwt({ session: a.session });
  secrets.push(jwt.token);
  await h.grpc.verifySession({ credential: { case: "jwt", value: jwt.token } });
  await h.grpc.verifySession({ credential: { case: "verificationToken", value: a.verificationToken } });
  await h.grpc.verifyWallet({ address: a.wallets[0]!.address });
  // What callers actually sign: transactions, typed data, authorizations.
  const unsignedTx = exampleEvmTransaction(1);
  secrets.push(unsignedTx);
  const tx = await h.grpc.signTransaction({ session: a.session, unsignedTransaction: unsignedTx, chainId: 1n });
  secrets.push(tx.r, tx.s, tx.signedTransaction, tx.transactionHash);
  const typedDataJson = JSON.stringify({
    ...exampleTypedData(),
    message: { ...(exampleTypedData()["message"] as object), contents: `CANARY-TYPED-DATA-${label}-5e8d1c` },
  });
  secrets.push(typedDataJson, `CANARY-TYPED-DATA-${label}-5e8d1c`);
  const typed = await h.grpc.signTypedData({ session: a.session, typedDataJson });
  secrets.push(typed.signature, typed.encodedSignature, typed.digest);
  const contractCanary = "0xCa11ab1eCa11ab1eCa11ab1eCa11ab1eCa11ab1e";
  secrets.push(contractCanary);
  const auth = await h.grpc.signAuthorization({ session: a.session, chainId: 1n, contractAddress: contractCanary.toLowerCase(), nonce: 4n });
  secrets.push(auth.r, auth.s);
  const solAddress = a.wallets.find((w) => w.type === "SOLANA")!.address;
  const unsignedSol = exampleSolanaTransaction(solAddress);
  secrets.push(unsignedSol);
  const solTx = await h.grpc.signSolanaTransaction({ session: a.session, transaction: unsignedSol });
  secrets.push(solTx.signature, solTx.signedTransaction);

  // Error paths.
  const walletCanary = `CANARY-WALLET-ID-${label}-0b7d9e`;
  const tokenCanary = `CANARY-TOKEN-${label}-91c4e0aa55`;
  const addressCanary = "0xCANARYADDRESS0000000000000000000000001";
  secrets.push(walletCanary, tokenCanary, addressCanary);
  const doc = JSON.parse(Buffer.from(a.session, "base64").toString()) as Record<string, unknown>;
  await attempt(h.grpc.checkSession({ session: Buffer.from(JSON.stringify({ ...doc, wallets: [] })).toString("base64") }));
  await attempt(h.grpc.checkSession({ session: JSON.stringify(doc) }));
  await attempt(h.grpc.checkSession({ session: `${a.session}!` }));
  await attempt(h.grpc.signMessage({ session: a.sessionWithoutSigners, message: new Uint8Array(32) }));
  await attempt(h.grpc.signMessage({ session: a.session, message, walletId: walletCanary }));
  await attempt(h.grpc.signMessage({ session: a.session, message, format: MessageFormat.RAW }));
  await attempt(h.grpc.verifySession({ credential: { case: "jwt", value: `${jwt.token.slice(0, -4)}AAAA` } }));
  await attempt(h.grpc.verifySession({ credential: { case: "verificationToken", value: tokenCanary } }));
  await attempt(h.grpc.verifyWallet({ address: addressCanary }));

  await attempt(h.grpc.signTransaction({ session: a.session, unsignedTransaction: unsignedTx, chainId: 5n }));
  await attempt(
    h.grpc.signTypedData({
      session: a.session,
      typedDataJson: typedDataJson.replace("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", `CANARY-NOT-AN-ADDRESS-${label}`),
    }),
  );
  secrets.push(`CANARY-NOT-AN-ADDRESS-${label}`);
  await attempt(h.grpc.signAuthorization({ session: a.session, chainId: 1n, contractAddress: contractCanary.replace("0x", "0xZ"), nonce: 0n }));
  const stranger = await mint();
  const strangerSol = exampleSolanaTransaction(stranger.wallets.find((w) => w.type === "SOLANA")!.address);
  await attempt(h.grpc.signSolanaTransaction({ session: a.session, transaction: strangerSol }));

  // A rewritten session: a's cookie with another user's wallets and identity pasted in (SESSION_MISMATCH).
  const other = await mint({ email: `canary.other.${label}@example.com` });
  const otherDoc = JSON.parse(Buffer.from(other.session, "base64").toString()) as Record<string, unknown>;
  const forged = { ...otherDoc, sessionCookie: doc["sessionCookie"], currentWalletIds: {} };
  await attempt(h.grpc.checkSession({ session: Buffer.from(JSON.stringify(forged)).toString("base64") }));
  await attempt(h.grpc.signMessage({ session: Buffer.from(JSON.stringify(forged)).toString("base64"), message, format: MessageFormat.EIP191 }));

  const b = await mint();
  await localPara.setTransactionReview(b.wallets.find((w) => w.type === "EVM")!.id, true);
  await attempt(h.grpc.signMessage({ session: b.session, message, format: MessageFormat.EIP191 }));
  await attempt(h.grpc.signTransaction({ session: b.session, unsignedTransaction: unsignedTx, chainId: 1n }));
  // A Para policy denial: the worker crashes with Para's answer in its message (and the job's opts, with the
  // transaction, before it): none of that may reach a sink.
  const denied = await mint();
  await localPara.setPolicyDenial(denied.wallets.find((w) => w.type === "EVM")!.id, true, `canary-rule-${label}`);
  await attempt(h.grpc.signTransaction({ session: denied.session, unsignedTransaction: unsignedTx, chainId: 1n }));
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

  // Wave 2: a session re-exported after a rotating keep-alive, idempotency keys (field and header, a replay, a
  // reuse), a batch with a failing item, and a review awaited until denied and until the deadline.
  const r = await mint();
  await localPara.setSessionRotation({ userId: r.userId, enabled: true, graceMs: 60_000 });
  const refreshed = await h.grpc.checkSession({ session: r.session, extend: true, returnSession: true });
  const resigned = await h.grpc.signMessage({ session: refreshed.session, message, format: MessageFormat.EIP191, returnSession: true });
  secrets.push(refreshed.session, resigned.session, resigned.signature, ...cookiesOf(refreshed.session, resigned.session));
  const keyCanary = `CANARY-IDEMPOTENCY-KEY-${label}-4d1e77`;
  const headerKeyCanary = `CANARY-IDEMPOTENCY-HEADER-${label}-a90c3b`;
  secrets.push(keyCanary, headerKeyCanary);
  await h.grpc.signMessage({ session: r.session, message, format: MessageFormat.EIP191, idempotencyKey: keyCanary });
  await h.grpc.signMessage({ session: r.session, message, format: MessageFormat.EIP191, idempotencyKey: keyCanary });
  await attempt(h.grpc.signMessage({ session: r.session, message: new Uint8Array([...message, 1]), format: MessageFormat.EIP191, idempotencyKey: keyCanary }));
  await h.grpc.signMessage({ session: r.session, message, walletType: WalletType.SOLANA }, { headers: { "idempotency-key": headerKeyCanary } });
  await attempt(h.grpc.signMessage({ session: r.session, message, idempotencyKey: keyCanary }, { headers: { "idempotency-key": headerKeyCanary } }));
  const batch = await h.grpc.signMessages({
    session: r.session,
    idempotencyKey: `${keyCanary}-batch`,
    items: [
      { message, format: MessageFormat.EIP191 },
      { message, walletId: walletCanary },
      { message, walletType: WalletType.SOLANA },
    ],
  });
  for (const result of batch.results) if (result.result.case === "signature") secrets.push(result.result.value.signature);
  secrets.push(`${keyCanary}-batch`);
  const reviewed = await mint();
  await localPara.setTransactionReview(reviewed.wallets.find((w) => w.type === "EVM")!.id, true);
  await attempt(h.grpc.signMessage({ session: reviewed.session, message, format: MessageFormat.EIP191 }));
  const [pending] = await localPara.pendingTransactions(reviewed.userId);
  if (!pending) throw new Error("the review was not recorded");
  await attempt(h.grpc.awaitReview({ session: reviewed.session, pendingTransactionId: pending.id }, { timeoutMs: 800 }));
  await localPara.denyPendingTransaction(pending.id);
  await attempt(h.grpc.awaitReview({ session: reviewed.session, pendingTransactionId: pending.id }));
  return secrets;
}

/** The session cookies inside exported sessions: a rotated one is as secret as the session. */
function cookiesOf(...sessions: string[]): string[] {
  return sessions.map((s) => (JSON.parse(Buffer.from(s, "base64").toString()) as { sessionCookie: string }).sessionCookie);
}
