import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { identityFromXfcc, MAX_XFCC_LENGTH, parseXfcc } from "../../src/authz/caller-identity.js";

const API = "spiffe://cluster.local/ns/payments/sa/api";
const GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/ingress";
const SELF = "spiffe://cluster.local/ns/signer/sa/para-signer";
const HASH = "468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688";

describe("x-forwarded-client-cert grammar (Envoy's)", () => {
  test("Envoy's own example: key=value pairs, a quoted Subject, keys lower-cased", () => {
    expect(parseXfcc(`By=${SELF};Hash=${HASH};Subject="/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client";URI=${API}`)).toEqual([
      [
        ["by", SELF],
        ["hash", HASH],
        ["subject", "/C=US/ST=CA/L=San Francisco/OU=Lyft/CN=Test Client"],
        ["uri", API],
      ],
    ]);
  });

  test('inside quotes , ; = are literal and \\" \\\\ are escapes; other backslashes stay', () => {
    const header = String.raw`Subject="CN=a\,b; O=\"Evil, Inc.\";URI=${GATEWAY}, x=y \\";URI=${API}`;
    const subject = `${String.raw`CN=a\,b; O="Evil, Inc.";URI=${GATEWAY}, x=y `}\\`;
    expect(parseXfcc(header)).toEqual([
      [
        ["subject", subject],
        ["uri", API],
      ],
    ]);
    expect(identityFromXfcc(header).uris).toEqual([API]);
  });

  test("keys are case-insensitive", () => {
    expect(identityFromXfcc(`by=${SELF};uri=${API}`).uris).toEqual([API]);
    expect(identityFromXfcc(`BY=${SELF};Uri=${API}`).uris).toEqual([API]);
  });

  test("several URI= in one element (one per URI SAN) are all the caller's", () => {
    expect(identityFromXfcc(`By=${SELF};URI=${API};URI=spiffe://other.domain/ns/payments/sa/api;DNS=api.payments;DNS=api`).uris).toEqual([
      API,
      "spiffe://other.domain/ns/payments/sa/api",
    ]);
  });

  test("several elements: the caller is the last (the one the nearest proxy appended), not the first", () => {
    const appended = `By=${GATEWAY};URI=spiffe://cluster.local/ns/web/sa/frontend,By=${SELF};Hash=${HASH};URI=${API}`;
    expect(parseXfcc(appended)).toHaveLength(2);
    expect(identityFromXfcc(appended).uris).toEqual([API]);
    // What a caller prepends under APPEND_FORWARD is hearsay, whatever it claims.
    expect(identityFromXfcc(`URI=spiffe://cluster.local/ns/ops/sa/admin,By=${SELF};URI=${API}`).uris).toEqual([API]);
    // Node joins repeated headers with ", ": whitespace around elements is allowed.
    expect(identityFromXfcc(`URI=${GATEWAY}, By=${SELF};URI=${API}`).uris).toEqual([API]);
  });

  test("a quoted comma cannot smuggle an element in (the real last element wins)", () => {
    expect(identityFromXfcc(`By=${SELF};Subject="x,URI=spiffe://cluster.local/ns/ops/sa/admin";URI=${API}`).uris).toEqual([API]);
  });

  test("no URI SAN: an empty URI= (Envoy still writes the key) or none at all is no identity", () => {
    expect(identityFromXfcc(`By=${SELF};Hash=${HASH};Subject="CN=${API}";URI=`)).toEqual({ uris: [], cn: undefined });
    expect(identityFromXfcc(`By=${SELF};Hash=${HASH};DNS=${API}`).uris).toEqual([]);
  });

  test.each([
    ["empty", ""],
    ["unbalanced quote", `By=${SELF};Subject="CN=x;URI=${API}`],
    ["quote inside an unquoted value", `URI=spiffe://a"b`],
    ["text after a closing quote", `Subject="CN=x"junk;URI=${API}`],
    ["a pair without =", `By=${SELF};URI`],
    ["an empty element", `By=${GATEWAY},,URI=${API}`],
    ["a trailing separator", `URI=${API};`],
    ["a trailing comma", `URI=${API},`],
    ["a key that is not a token", `U RI=${API}`],
    ["binary garbage", '\u0000\u00ff=\u0001;;,,"\\'],
    ["oversized", `URI=${API};Cert="${"A".repeat(MAX_XFCC_LENGTH)}"`],
  ])("malformed (%s): no elements, no identity, no throw", (_name, header) => {
    expect(parseXfcc(header)).toBeUndefined();
    expect(identityFromXfcc(header)).toEqual({ uris: [], cn: undefined });
  });

  test("huge but well-formed headers parse in linear time", () => {
    const cert = "%2D".repeat(10_000); // a URL-encoded PEM is long, plain text
    const many = Array.from({ length: 200 }, (_, n) => `By=${SELF};URI=spiffe://td/ns/n${n}/sa/s`).join(",");
    const started = performance.now();
    expect(identityFromXfcc(`${many},Cert="${cert}";URI=${API}`).uris).toEqual([API]);
    expect(identityFromXfcc(`Subject="${'\\"'.repeat(20_000)}";URI=${API}`).uris).toEqual([API]);
    // A quadratic parse of these ~60 KB would take minutes; a generous bound that no loaded machine comes near.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test("garbage never throws, and whatever it yields came from the last element", () => {
    const piece = fc.constantFrom('"', "\\", ",", ";", "=", " ", "URI", "uri=", "spiffe://a", "By=", '\\"');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 30 }), (pieces) => {
        const header = pieces.join("");
        const elements = parseXfcc(header);
        const { uris } = identityFromXfcc(header);
        if (!elements) expect(uris).toEqual([]);
        else for (const uri of uris) expect(elements.at(-1)).toContainEqual(["uri", uri]);
      }),
      { numRuns: 5_000 },
    );
  });
});
