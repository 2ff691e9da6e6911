import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { createAuthzInterceptor } from "../../src/authz/authz-interceptor.js";
import { type CallerIdentity, identityFromXfcc, kCallerIdentity } from "../../src/authz/caller-identity.js";
import { parseAuthzPolicy } from "../../src/authz/policy.js";

const API = "spiffe://cluster.local/ns/payments/sa/api";
const ADMIN = "spiffe://cluster.local/ns/ops/sa/admin";

/** Runs the interceptor on a fake CheckSession call; resolves to the gRPC code (OK = reached the handler). */
async function codeFor(trustForwardedClientCert: boolean, caller: CallerIdentity): Promise<Code | "OK"> {
  const policy = parseAuthzPolicy(JSON.stringify({ trustForwardedClientCert, allow: { [API]: ["CheckSession"] } }), (p) => new Error(p));
  const contextValues = createContextValues().set(kCallerIdentity, caller);
  const req = { service: { typeName: SignerService.typeName }, method: { name: "CheckSession" }, contextValues };
  const handler = createAuthzInterceptor(policy)(async () => "OK" as never);
  try {
    await handler(req as never);
    return "OK";
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

describe("the authorization interceptor picks one identity source", () => {
  const peer = { uris: [API], cn: undefined };

  test("a trusted, present XFCC decides alone: malformed denies even beside an allowed peer certificate", async () => {
    expect(await codeFor(true, { peerCertificate: peer, forwardedClientCert: identityFromXfcc(`URI="${API}`) })).toBe(Code.PermissionDenied);
    expect(await codeFor(true, { peerCertificate: peer, forwardedClientCert: identityFromXfcc(`URI=${ADMIN}`) })).toBe(Code.PermissionDenied);
    expect(await codeFor(true, { peerCertificate: undefined, forwardedClientCert: identityFromXfcc(`URI=${ADMIN};URI=${API}`) })).toBe("OK");
  });

  test("without the header, or when XFCC is not trusted, the peer certificate decides", async () => {
    expect(await codeFor(true, { peerCertificate: peer, forwardedClientCert: undefined })).toBe("OK");
    expect(await codeFor(false, { peerCertificate: undefined, forwardedClientCert: identityFromXfcc(`URI=${API}`) })).toBe(Code.PermissionDenied);
    expect(await codeFor(false, { peerCertificate: { uris: [], cn: API }, forwardedClientCert: undefined })).toBe(Code.PermissionDenied);
  });
});
