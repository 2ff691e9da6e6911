import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { TLSSocket } from "node:tls";
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";

/**
 * One certificate's names. A certificate may carry several URI SANs (Envoy
 * forwards each), so an identity is the set of them, never "the first one":
 * picking one would let the order of SANs decide who the caller is.
 */
export interface PeerIdentity {
  /** The certificate's URI SANs (SPIFFE ids in a mesh), exactly as issued. */
  uris: readonly string[];
  /** The subject CN, only when the peer certificate has exactly one that is not URI-like; never taken from XFCC. */
  cn: string | undefined;
}

/** Who is calling, as far as the transport can tell; set per call, read by the authorization interceptor. */
export interface CallerIdentity {
  /** From the verified mTLS client certificate (run bare, no sidecar). */
  peerCertificate: PeerIdentity | undefined;
  /**
   * From the sidecar's x-forwarded-client-cert header. Present whenever the
   * header is: a malformed header gives `{ uris: [] }` (denied), not
   * undefined, so it can never fall back to some other identity.
   */
  forwardedClientCert: PeerIdentity | undefined;
}

export const kCallerIdentity = createContextKey<CallerIdentity>(
  { peerCertificate: undefined, forwardedClientCert: undefined },
  { description: "The caller's transport identity" },
);

const NO_IDENTITY: PeerIdentity = { uris: [], cn: undefined };

/** For `connectNodeAdapter({ contextValues })`: reads the caller's identity off the Node request. */
export function callerContextValues(req: http.IncomingMessage | http2.Http2ServerRequest): ContextValues {
  const values = createContextValues();
  const xfcc = req.headers["x-forwarded-client-cert"];
  values.set(kCallerIdentity, {
    peerCertificate: identityOfPeer(req.socket as TLSSocket),
    forwardedClientCert: xfcc === undefined ? undefined : identityFromXfcc(Array.isArray(xfcc) ? xfcc.join(",") : xfcc),
  });
  return values;
}

function identityOfPeer(socket: TLSSocket): PeerIdentity | undefined {
  if (typeof socket.getPeerCertificate !== "function" || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const sans = cert.subjectaltname ? parseSubjectAltNames(cert.subjectaltname) : [];
  if (!sans) return undefined; // a SAN list we cannot read is no identity at all, not "no URIs"
  const cn: unknown = cert.subject?.CN;
  return {
    uris: unique(sans.filter(([type]) => type === "URI").map(([, value]) => value)),
    // A CN that looks like a URI must not pass for a URI SAN: CNs are not what a
    // SPIFFE issuer vouches for, and anyone a CA signs for can put one there.
    cn: typeof cn === "string" && cn.length > 0 && !cn.includes("://") ? cn : undefined,
  };
}

/**
 * Node's `subjectaltname`: `TYPE:value` entries joined by ", ", where a value
 * containing separators or quotes is written as a JSON string literal (since
 * the CVE-2021-44532 fix), e.g. `URI:spiffe://a, URI:"http://x/a, b"`. So
 * splitting on ", " is wrong; this walks the string. Undefined if malformed.
 */
export function parseSubjectAltNames(text: string): Array<[type: string, value: string]> | undefined {
  const names: Array<[string, string]> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(":", i);
    const type = text.slice(i, colon);
    if (colon < 0 || !/^[A-Za-z][A-Za-z ]*$/.test(type)) return undefined; // DNS, URI, IP Address, email, DirName...
    let value: string;
    if (text[colon + 1] === '"') {
      const end = endOfQuoted(text, colon + 1);
      if (end < 0) return undefined;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        return undefined;
      }
      i = end + 1;
    } else {
      const comma = text.indexOf(", ", colon + 1);
      i = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, i);
    }
    names.push([type, value]);
    if (i < text.length) {
      if (!text.startsWith(", ", i) || i + 2 === text.length) return undefined;
      i += 2;
    }
  }
  return names;
}

/** Index of the quote closing the one at `start`, honouring backslash escapes; -1 if unterminated. */
function endOfQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Beyond this the header is not one Envoy wrote (a full Cert and Chain fit well within it). */
export const MAX_XFCC_LENGTH = 64 * 1024;

/**
 * The caller's identity from Envoy's x-forwarded-client-cert: the URI SANs of
 * the element the nearest proxy appended, which is the LAST one.
 *
 * Why last: Envoy's docs say each proxy "can append the current client
 * certificate information as an XFCC element, to the end of the request's XFCC
 * header after a comma". Under SANITIZE_SET (Istio gateways, our recommended
 * sidecar setting) the sidecar drops whatever arrived and writes one element,
 * so first = last. Under APPEND_FORWARD (Istio's default for sidecar inbound)
 * it keeps what arrived and appends the element for the connection it
 * terminated itself: earlier elements are hearsay from hops further away (or
 * from the caller), only the last one was verified by our own sidecar.
 */
export function identityFromXfcc(header: string): PeerIdentity {
  const elements = parseXfcc(header);
  const last = elements?.[elements.length - 1];
  if (!last) return NO_IDENTITY;
  return { uris: unique(last.filter(([key, value]) => key === "uri" && value.length > 0).map(([, value]) => value)), cn: undefined };
}

/**
 * Envoy's XFCC grammar: elements separated by ",", each a ";"-separated list of
 * `Key=value` pairs; keys are case-insensitive (returned lower-cased); a value
 * may be double-quoted, and inside quotes `\"` and `\\` are escapes while ",",
 * ";" and "=" are literal. Keys may repeat (one `URI=` / `DNS=` per SAN).
 * Returns undefined for anything malformed (unbalanced quotes, empty elements,
 * a quote inside an unquoted value, a bad key, an oversized header): the
 * caller then has no identity, which the interceptor denies.
 */
export function parseXfcc(header: string): Array<Array<[key: string, value: string]>> | undefined {
  if (header.length === 0 || header.length > MAX_XFCC_LENGTH) return undefined;
  const elements: Array<Array<[string, string]>> = [];
  let pairs: Array<[string, string]> = [];
  let i = 0;
  const skipSpace = () => {
    while (header[i] === " " || header[i] === "\t") i++;
  };
  for (;;) {
    skipSpace();
    const eq = header.indexOf("=", i);
    if (eq < 0) return undefined;
    const key = header.slice(i, eq).trimEnd();
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) return undefined;
    i = eq + 1;
    let value = "";
    if (header[i] === '"') {
      for (i++; ; i++) {
        if (i >= header.length) return undefined; // unterminated quote
        const char = header[i]!;
        if (char === '"') break;
        if (char === "\\" && (header[i + 1] === '"' || header[i + 1] === "\\")) value += header[++i];
        else value += char; // other backslashes stay, e.g. RFC 2253's `\,` in a Subject
      }
      i++;
      skipSpace();
    } else {
      const start = i;
      while (i < header.length && header[i] !== ";" && header[i] !== ",") i++;
      value = header.slice(start, i).trim();
      if (value.includes('"')) return undefined;
    }
    pairs.push([key.toLowerCase(), value]);
    if (i >= header.length) break;
    const separator = header[i++];
    if (separator === ",") {
      elements.push(pairs);
      pairs = [];
    } else if (separator !== ";") return undefined; // text after a closing quote
  }
  elements.push(pairs);
  return elements;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
