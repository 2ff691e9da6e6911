import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

const fixtures = fileURLToPath(new URL("../fixtures/tls/", import.meta.url));
const pem = (name: string) => readFileSync(`${fixtures}${name}`);
const CALLER = "spiffe://cluster.local/ns/payments/sa/api";

function healthOverTls(port: number, creds: grpc.ChannelCredentials) {
  const root = fileURLToPath(new URL("../../proto", import.meta.url));
  const def = protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [root], enums: String });
  const Health = (
    grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client } } } }
  ).grpc.health.v1.Health;
  const client = new Health(`localhost:${port}`, creds) as grpc.Client & {
    check(r: object, o: object, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void;
  };
  const check = () =>
    new Promise<{ status?: string; code?: number }>((resolve) =>
      client.check({ service: "" }, { deadline: Date.now() + 3_000 }, (err, res) => resolve(err ? { code: err.code } : { status: res?.status ?? "" })),
    );
  return { check, close: () => client.close() };
}

describe("TLS and mTLS (run bare, outside a mesh)", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness({
      env: {
        TLS_CERT_FILE: `${fixtures}server.pem`,
        TLS_KEY_FILE: `${fixtures}server.key`,
        TLS_CLIENT_CA_FILE: `${fixtures}ca.pem`,
        SIGNER_AUTHZ_POLICY: JSON.stringify({ allow: { [CALLER]: ["CheckSession"] } }),
      },
      tls: { ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client.key") },
    });
  });
  afterAll(() => h.stop());

  test("a client with a certificate from the trusted CA is served", async () => {
    const client = healthOverTls(h.port, grpc.credentials.createSsl(pem("ca.pem"), pem("client.key"), pem("client.pem")));
    expect(await client.check()).toEqual({ status: "SERVING" });
    client.close();
  });

  test("a client without a certificate is rejected at the handshake", async () => {
    const client = healthOverTls(h.port, grpc.credentials.createSsl(pem("ca.pem")));
    expect(await client.check()).toEqual({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  test("a client whose certificate no trusted CA signed is rejected", async () => {
    const client = healthOverTls(h.port, grpc.credentials.createSsl(pem("ca.pem"), pem("stranger.key"), pem("stranger.pem")));
    expect(await client.check()).toEqual({ code: grpc.status.UNAVAILABLE });
    client.close();
  });

  test("the certificate's SPIFFE id is the caller identity the allow-list judges", async () => {
    const minted = await h.mint();
    expect((await h.grpc.checkSession({ session: minted.session })).active).toBe(true);
    expect((await failure(h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32) }))).code).toBe(Code.PermissionDenied);
  });
});

describe("caller allow-list inside a mesh (identity from x-forwarded-client-cert)", () => {
  let h: SignerHarness;
  const xfcc = (uri: string) => ({ "x-forwarded-client-cert": `By=spiffe://cluster.local/ns/signer/sa/para-signer;Hash=abc123;Subject="";URI=${uri}` });
  beforeAll(async () => {
    h = await startSignerHarness({
      env: {
        SIGNER_AUTHZ_POLICY: JSON.stringify({
          trustForwardedClientCert: true,
          allow: { [CALLER]: ["CheckSession", "VerifyWallet"], "spiffe://cluster.local/ns/ops/sa/admin": ["*"] },
        }),
      },
    });
  });
  afterAll(() => h.stop());

  test("admits an allowed identity for its RPCs, denies other RPCs and unknown identities", async () => {
    const minted = await h.mint();
    expect((await h.grpc.checkSession({ session: minted.session }, { headers: xfcc(CALLER) })).active).toBe(true);
    const denied = await failure(h.grpc.signMessage({ session: minted.session, message: new Uint8Array(32) }, { headers: xfcc(CALLER) }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect((await failure(h.grpc.checkSession({ session: minted.session }, { headers: xfcc("spiffe://cluster.local/ns/x/sa/y") }))).code).toBe(
      Code.PermissionDenied,
    );
    const admin = await h.grpc.signMessage(
      { session: minted.session, message: new Uint8Array(32) },
      { headers: xfcc("spiffe://cluster.local/ns/ops/sa/admin") },
    );
    expect(admin.signature.length).toBe(65);
  });

  test("no identity at all is denied; health stays open to probes", async () => {
    const minted = await h.mint();
    expect((await failure(h.grpc.checkSession({ session: minted.session }))).code).toBe(Code.PermissionDenied);
    const { Health } = await import("../../gen/grpc/health/v1/health_pb.js");
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.port}`, idleConnectionTimeoutMs: 50 }));
    expect((await health.check({})).status).toBe(1);
    expect(SignerService.typeName).toBe("para.signer.v1.SignerService");
  });
});
