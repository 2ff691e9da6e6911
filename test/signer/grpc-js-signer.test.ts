import { createPublicKey, verify } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ed25519 } from "@noble/curves/ed25519.js";
import { getTransactionDecoder } from "@solana/kit";
import { recoverTransactionAddress, toHex, verifyMessage, verifyTypedData, type TypedDataDefinition } from "viem";
import { recoverAuthorizationAddress } from "viem/utils";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { base58Decode } from "../../src/encoding/base58.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../../src/local-para/example-payloads.js";
import { localPara } from "../support/local-para-admin.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

type Callback = (err: grpc.ServiceError | null, res?: Record<string, unknown>) => void;
type SignerClient = grpc.Client & Record<string, (req: Record<string, unknown>, cb: Callback) => void>;

/** A grpc-js client from outside the Connect stack, built from the .proto at run time, as a polyglot caller would. */
function signerClient(port: number): SignerClient {
  const root = fileURLToPath(new URL("../../proto", import.meta.url));
  const def = protoLoader.loadSync("para/signer/v1/signer_service.proto", { includeDirs: [root], enums: String, longs: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    para: { signer: { v1: { SignerService: new (addr: string, creds: grpc.ChannelCredentials) => SignerClient } } };
  };
  return new pkg.para.signer.v1.SignerService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function call(client: SignerClient, method: string, req: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => client[method]!(req, (err, res) => (err ? reject(err) : resolve(res ?? {}))));
}

function errorOf(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error("expected failure");
    },
    (e: grpc.ServiceError) => e,
  );
}

describe("grpc-js interop: every RPC", () => {
  let h: SignerHarness;
  let client: SignerClient;
  beforeAll(async () => {
    h = await startSignerHarness();
    client = signerClient(h.port);
  });
  afterAll(async () => {
    client.close();
    await h.stop();
  });

  test("SignMessage EIP191 (EVM) and RAW (Solana)", async () => {
    const minted = await h.mint();
    const evm = minted.wallets.find((w) => w.type === "EVM")!;
    const message = Buffer.from("signed via grpc-js");
    const res = await call(client, "signMessage", { session: minted.session, message, format: "MESSAGE_FORMAT_EIP191" });
    expect(res["walletType"]).toBe("WALLET_TYPE_EVM");
    const signature = new Uint8Array(res["signature"] as Buffer);
    expect(await verifyMessage({ address: evm.address as `0x${string}`, message: { raw: message }, signature: toHex(signature) })).toBe(true);

    const sol = minted.wallets.find((w) => w.type === "SOLANA")!;
    const solRes = await call(client, "signMessage", { session: minted.session, message, walletType: "WALLET_TYPE_SOLANA" });
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(base58Decode(sol.address))]);
    expect(verify(null, message, createPublicKey({ key: spki, format: "der", type: "spki" }), solRes["signature"] as Buffer)).toBe(true);
  });

  test("CheckSession, IssueJwt, VerifySession (both credentials), VerifyWallet", async () => {
    const minted = await h.mint({ email: "grpcjs@example.com" });
    const check = await call(client, "checkSession", { session: minted.session, extend: true });
    expect(check).toMatchObject({ active: true, extended: true, userId: minted.userId });
    const jwt = await call(client, "issueJwt", { session: minted.session });
    expect(String(jwt["token"]).split(".")).toHaveLength(3);
    const byJwt = await call(client, "verifySession", { jwt: jwt["token"] });
    expect(byJwt["userId"]).toBe(minted.userId);
    const byToken = await call(client, "verifySession", { verificationToken: minted.verificationToken });
    expect((byToken["auth"] as Record<string, unknown>)["identifier"]).toBe("grpcjs@example.com");
    const wallet = await call(client, "verifyWallet", { address: minted.wallets[0]!.address });
    expect(wallet["walletId"]).toBe(minted.wallets[0]!.id);
  });

  test("errors arrive as gRPC status codes", async () => {
    expect((await errorOf(call(client, "checkSession", { session: "garbage!" }))).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await errorOf(call(client, "verifyWallet", { address: `0x${"cd".repeat(20)}` }))).code).toBe(grpc.status.NOT_FOUND);
    const minted = await h.mint();
    const e = await errorOf(call(client, "signMessage", { session: minted.sessionWithoutSigners, message: Buffer.alloc(32) }));
    expect(e.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(e.metadata.get("grpc-status-details-bin")).toHaveLength(1);
  });

  test("SignTransaction, SignTypedData, SignAuthorization, SignSolanaTransaction", async () => {
    const minted = await h.mint();
    const evm = minted.wallets.find((w) => w.type === "EVM")!;
    const sol = minted.wallets.find((w) => w.type === "SOLANA")!;
    const tx = await call(client, "signTransaction", { session: minted.session, unsignedTransaction: Buffer.from(exampleEvmTransaction(10)), chainId: "10" });
    const recovered = await recoverTransactionAddress({ serializedTransaction: toHex(tx["signedTransaction"] as Buffer) as never });
    expect(recovered.toLowerCase()).toBe(evm.address.toLowerCase());
    const typed = exampleTypedData();
    const td = await call(client, "signTypedData", { session: minted.session, typedDataJson: JSON.stringify(typed) });
    expect(
      await verifyTypedData({
        ...(typed as unknown as TypedDataDefinition),
        address: evm.address as `0x${string}`,
        signature: toHex(td["signature"] as Buffer),
      }),
    ).toBe(true);
    const contract = "0x000000000000000000000000000000000000dEaD";
    const auth = await call(client, "signAuthorization", { session: minted.session, chainId: "1", contractAddress: contract, nonce: "3" });
    const authority = await recoverAuthorizationAddress({
      authorization: { address: contract, chainId: 1, nonce: 3 },
      signature: { r: toHex(auth["r"] as Buffer), s: toHex(auth["s"] as Buffer), yParity: auth["yParity"] as number },
    });
    expect(authority.toLowerCase()).toBe(evm.address.toLowerCase());
    const wire = exampleSolanaTransaction(sol.address);
    const solRes = await call(client, "signSolanaTransaction", { session: minted.session, transaction: Buffer.from(wire) });
    const messageBytes = new Uint8Array(getTransactionDecoder().decode(solRes["signedTransaction"] as Buffer).messageBytes);
    expect(ed25519.verify(new Uint8Array(solRes["signature"] as Buffer), messageBytes, base58Decode(sol.address))).toBe(true);
    const bad = await errorOf(
      call(client, "signTransaction", { session: minted.session, unsignedTransaction: Buffer.from(exampleEvmTransaction(10)), chainId: "1" }),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  test("wave 2 from grpc-js: SignMessages with a per-item Status, an idempotency key as metadata, AwaitReview's deadline", async () => {
    const minted = await h.mint();
    const evm = minted.wallets.find((w) => w.type === "EVM")!;
    const batch = await call(client, "signMessages", {
      session: minted.session,
      items: [
        { message: Buffer.from("one"), format: "MESSAGE_FORMAT_EIP191" },
        { message: Buffer.from("two"), walletId: "no-such-wallet" },
      ],
    });
    const results = batch["results"] as Array<{ result: string; signature?: { signature: Buffer }; error?: { code: number; message: string } }>;
    expect(results.map((r) => r.result)).toEqual(["signature", "error"]);
    const signature = toHex(new Uint8Array(results[0]!.signature!.signature));
    expect(await verifyMessage({ address: evm.address as `0x${string}`, message: "one", signature })).toBe(true);
    expect(results[1]!.error!.code).toBe(grpc.status.NOT_FOUND);

    // The key as gRPC metadata, as a mesh routes it: the replay is the same signature.
    const keyed = (meta: grpc.Metadata) =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        (client["signMessage"] as unknown as (r: object, m: grpc.Metadata, cb: Callback) => void)(
          { session: minted.session, message: Buffer.from("keyed"), format: "MESSAGE_FORMAT_EIP191" },
          meta,
          (err, res) => (err ? reject(err) : resolve(res ?? {})),
        ),
      );
    const meta = new grpc.Metadata();
    meta.set("idempotency-key", "grpc-js-key-1");
    const [first, again] = [await keyed(meta), await keyed(meta)];
    expect(Buffer.from(again["signature"] as Buffer)).toEqual(Buffer.from(first["signature"] as Buffer));

    const reviewed = await h.mint();
    await localPara.setTransactionReview(reviewed.wallets.find((w) => w.type === "EVM")!.id, true);
    await errorOf(call(client, "signMessage", { session: reviewed.session, message: Buffer.from("r"), format: "MESSAGE_FORMAT_EIP191" }));
    const [pending] = await localPara.pendingTransactions(reviewed.userId);
    const waited = await errorOf(
      new Promise((resolve, reject) =>
        (client["awaitReview"] as unknown as (r: object, m: grpc.Metadata, o: grpc.CallOptions, cb: Callback) => void)(
          { session: reviewed.session, pendingTransactionId: pending!.id },
          new grpc.Metadata(),
          { deadline: Date.now() + 1_500 },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      ),
    );
    // The server's answer before the client's own timer: it says why (the id travels in the status details).
    expect(waited.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(waited.details).toContain("review");
  });
});
