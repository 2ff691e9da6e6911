import type * as http2 from "node:http2";
import { describe, expect, test } from "vitest";
import { callerContextValues, kCallerIdentity, parseSubjectAltNames, type PeerIdentity } from "../../src/authz/caller-identity.js";
import { isAllowed, parseAuthzPolicy } from "../../src/authz/policy.js";

const API = "spiffe://cluster.local/ns/payments/sa/api";
const ADMIN = "spiffe://cluster.local/ns/ops/sa/admin";
const policy = (allow: Record<string, string[]>) => parseAuthzPolicy(JSON.stringify({ allow }), (p) => new Error(p));
const id = (uris: string[], cn?: string): PeerIdentity => ({ uris, cn });

/** What the adapter sees: a request whose socket carries an (already verified) peer certificate. */
function callerOf(cert: { subjectaltname?: string; subject?: { CN?: string | string[] } } | undefined, xfcc?: string) {
  const socket = { authorized: cert !== undefined, getPeerCertificate: () => cert ?? {} };
  const req = { headers: xfcc === undefined ? {} : { "x-forwarded-client-cert": xfcc }, socket } as unknown as http2.Http2ServerRequest;
  return callerContextValues(req).get(kCallerIdentity);
}

describe("policy matching: an identity is the set of the caller's URI SANs", () => {
  const spiffe = policy({ [API]: ["CheckSession"], [ADMIN]: ["*"] });

  test("allowed when any URI SAN is allowed the method, by exact match", () => {
    expect(isAllowed(spiffe, id([API]), "CheckSession")).toBe(true);
    expect(isAllowed(spiffe, id([API]), "SignMessage")).toBe(false);
    expect(isAllowed(spiffe, id(["spiffe://other/x", API]), "CheckSession")).toBe(true);
    expect(isAllowed(spiffe, id([API, ADMIN]), "SignMessage")).toBe(true);
  });

  test("no prefix, suffix or case games", () => {
    for (const near of [`${API}x`, `${API}/`, API.slice(0, -1), API.toUpperCase(), "spiffe://cluster.local/ns/payments", ` ${API}`]) {
      expect(isAllowed(spiffe, id([near]), "CheckSession")).toBe(false);
    }
  });

  test("no identity, or an empty one, is denied", () => {
    expect(isAllowed(spiffe, undefined, "CheckSession")).toBe(false);
    expect(isAllowed(spiffe, id([]), "CheckSession")).toBe(false);
  });

  test("a CN that equals an allowed SPIFFE id is not that id (URI-like policy: no CN fallback)", () => {
    expect(isAllowed(spiffe, id([], API), "CheckSession")).toBe(false);
    expect(isAllowed(policy({ [API]: ["*"], "payments-api": ["*"] }), id([], "payments-api"), "CheckSession")).toBe(false);
  });

  test('a policy of plain certificate names (no "://") matches the CN', () => {
    const names = policy({ "payments-api": ["CheckSession"] });
    expect(isAllowed(names, id([], "payments-api"), "CheckSession")).toBe(true);
    expect(isAllowed(names, id(["spiffe://x/y"], "payments-api"), "CheckSession")).toBe(true);
    expect(isAllowed(names, id([], "payments-api"), "SignMessage")).toBe(false);
  });
});

describe("the peer certificate when run bare (Node's subjectaltname)", () => {
  test("collects every URI SAN, including JSON-quoted ones Node writes for values with separators", () => {
    expect(parseSubjectAltNames(`URI:${API}, DNS:api.payments, URI:"spiffe://td/odd, name", IP Address:10.0.0.1`)).toEqual([
      ["URI", API],
      ["DNS", "api.payments"],
      ["URI", "spiffe://td/odd, name"],
      ["IP Address", "10.0.0.1"],
    ]);
    expect(callerOf({ subjectaltname: `DNS:a, URI:${API}, URI:${ADMIN}`, subject: { CN: "payments-api" } }).peerCertificate).toEqual({
      uris: [API, ADMIN],
      cn: "payments-api",
    });
  });

  test("a quoted value cannot inject a second SAN", () => {
    expect(parseSubjectAltNames(`DNS:"x, URI:${ADMIN}"`)).toEqual([["DNS", `x, URI:${ADMIN}`]]);
    expect(callerOf({ subjectaltname: `DNS:"x, URI:${ADMIN}"` }).peerCertificate?.uris).toEqual([]);
  });

  test("an unreadable SAN list is no identity at all", () => {
    for (const bad of [`URI:"${API}`, `URI:${API}, , DNS:x`, `:x`, `URI:"a"b`, `URI:a, `, `URI`]) expect(parseSubjectAltNames(bad)).toBeUndefined();
    expect(callerOf({ subjectaltname: `URI:"${API}`, subject: { CN: "payments-api" } }).peerCertificate).toBeUndefined();
  });

  test("a CN that looks like a URI is never kept, several CNs are ambiguous, no certificate is nobody", () => {
    expect(callerOf({ subject: { CN: API } }).peerCertificate).toEqual({ uris: [], cn: undefined });
    expect(callerOf({ subject: { CN: ["a", "b"] } }).peerCertificate).toEqual({ uris: [], cn: undefined });
    expect(callerOf(undefined).peerCertificate).toBeUndefined();
  });

  test("the forwarded certificate is read from the header; a malformed one is present but empty", () => {
    expect(callerOf(undefined, `By=x;URI=${API}`).forwardedClientCert).toEqual({ uris: [API], cn: undefined });
    expect(callerOf(undefined, `URI="${API}`).forwardedClientCert).toEqual({ uris: [], cn: undefined });
    expect(callerOf(undefined).forwardedClientCert).toBeUndefined();
  });
});
