import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { TLSSocket } from "node:tls";
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";

/** Who is calling, as far as the transport can tell; set per call, read by the authorization interceptor. */
export interface CallerIdentity {
  /** From the verified mTLS client certificate (URI SAN, else subject CN). */
  peerCertificate: string | undefined;
  /** From the sidecar's x-forwarded-client-cert header (its URI= element). */
  forwardedClientCert: string | undefined;
}

export const kCallerIdentity = createContextKey<CallerIdentity>(
  { peerCertificate: undefined, forwardedClientCert: undefined },
  { description: "The caller's transport identity" },
);

/** For `connectNodeAdapter({ contextValues })`: reads the caller's identity off the Node request. */
export function callerContextValues(req: http.IncomingMessage | http2.Http2ServerRequest): ContextValues {
  const values = createContextValues();
  const xfcc = req.headers["x-forwarded-client-cert"];
  values.set(kCallerIdentity, {
    peerCertificate: identityOfPeer(req.socket as TLSSocket),
    forwardedClientCert: typeof xfcc === "string" ? identityFromXfcc(xfcc) : undefined,
  });
  return values;
}

function identityOfPeer(socket: TLSSocket): string | undefined {
  if (typeof socket.getPeerCertificate !== "function" || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const uri = cert.subjectaltname
    ?.split(/,\s*/)
    .find((name) => name.startsWith("URI:"))
    ?.slice(4);
  const cn = cert.subject?.CN;
  return uri ?? (typeof cn === "string" ? cn : undefined);
}

/**
 * Envoy's x-forwarded-client-cert: elements separated by commas (one per
 * proxy hop, the nearest last), each `Key=value` pairs separated by
 * semicolons, values optionally quoted. The caller is the last element's URI.
 */
export function identityFromXfcc(header: string): string | undefined {
  const elements = splitOutsideQuotes(header, ",");
  const last = elements[elements.length - 1];
  if (!last) return undefined;
  for (const pair of splitOutsideQuotes(last, ";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim().toLowerCase() === "uri") return pair.slice(eq + 1).trim().replace(/^"|"$/g, "") || undefined;
  }
  return undefined;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}
