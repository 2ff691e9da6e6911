/**
 * The caller allow-list: which caller identities (SPIFFE ids, or certificate
 * names when run bare with mTLS) may call which SignerService RPCs. Once a
 * policy is configured, everything not allowed is denied.
 *
 * JSON: { "allow": { "<identity>": ["SignMessage", "CheckSession"] | ["*"] },
 *         "trustForwardedClientCert": true }
 * `trustForwardedClientCert` takes the identity from the mesh sidecar's
 * x-forwarded-client-cert header; only set it when the sidecar overwrites that
 * header (Istio/Envoy SANITIZE_SET does), or callers could claim any identity.
 */
export interface AuthzPolicy {
  allow: ReadonlyMap<string, ReadonlySet<string> | "*">;
  trustForwardedClientCert: boolean;
}

export const SIGNER_METHODS = ["SignMessage", "CheckSession", "IssueJwt", "VerifySession", "VerifyWallet"] as const;

export function parseAuthzPolicy(text: string, fail: (problem: string) => Error): AuthzPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail("not JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw fail("not a JSON object");
  const { allow, trustForwardedClientCert } = doc as Record<string, unknown>;
  if (typeof allow !== "object" || allow === null || Array.isArray(allow)) throw fail('"allow" must map identities to lists of RPC names');
  if (trustForwardedClientCert !== undefined && typeof trustForwardedClientCert !== "boolean") {
    throw fail('"trustForwardedClientCert" must be true or false');
  }
  const rules = new Map<string, ReadonlySet<string> | "*">();
  for (const [identity, methods] of Object.entries(allow)) {
    if (!identity) throw fail("an identity is empty");
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== "string")) throw fail(`"${identity}" must list RPC names`);
    if (methods.includes("*")) {
      rules.set(identity, "*");
      continue;
    }
    const unknown = methods.filter((m) => !(SIGNER_METHODS as readonly string[]).includes(m));
    if (unknown.length > 0) throw fail(`unknown RPC ${unknown.join(", ")} (expected ${SIGNER_METHODS.join(", ")} or *)`);
    rules.set(identity, new Set(methods as string[]));
  }
  return { allow: rules, trustForwardedClientCert: trustForwardedClientCert ?? false };
}

/** Whether `identity` may call `method` under `policy`. */
export function isAllowed(policy: AuthzPolicy, identity: string | undefined, method: string): boolean {
  if (!identity) return false;
  const rule = policy.allow.get(identity);
  return rule === "*" || (rule !== undefined && rule.has(method));
}
