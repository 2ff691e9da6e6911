import type { PeerIdentity } from "./caller-identity.js";

/**
 * The caller allow-list: which caller identities (SPIFFE ids, or certificate
 * names when run bare with mTLS) may call which SignerService RPCs. Once a
 * policy is configured, everything not allowed is denied.
 *
 * JSON: { "allow": { "<identity>": ["SignMessage", "CheckSession"] | ["*"] },
 *         "trustForwardedClientCert": true }
 * `trustForwardedClientCert` takes the identity from the mesh sidecar's
 * x-forwarded-client-cert header; only set it when every request reaches this
 * process through that sidecar (Envoy SANITIZE_SET or APPEND_FORWARD: either
 * way the last element is the one the sidecar wrote), or callers could claim
 * any identity.
 *
 * Matching: a caller is the SET of its certificate's URI SANs; a call is
 * allowed when any of them is, by exact string match (no prefixes, no
 * wildcards: `spiffe://td/ns/a/sa/b` does not admit `spiffe://td/ns/a/sa/bc`).
 * The subject CN counts only for a policy that names no URI-like identity (no
 * key contains "://"), i.e. plain mTLS with certificate names; once the policy
 * speaks SPIFFE, a certificate without the URI SAN is nobody.
 */
export interface AuthzPolicy {
  allow: ReadonlyMap<string, ReadonlySet<string> | "*">;
  trustForwardedClientCert: boolean;
}

export const SIGNER_METHODS = [
  "SignMessage",
  "CheckSession",
  "IssueJwt",
  "VerifySession",
  "VerifyWallet",
  "SignTransaction",
  "SignTypedData",
  "SignAuthorization",
  "SignSolanaTransaction",
  "SignMessages",
  "AwaitReview",
] as const;

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

/** Whether a caller with `identity` may call `method` under `policy`. */
export function isAllowed(policy: AuthzPolicy, identity: PeerIdentity | undefined, method: string): boolean {
  if (!identity) return false;
  const names = namesUris(policy) || identity.cn === undefined ? identity.uris : [...identity.uris, identity.cn];
  return names.some((name) => {
    const rule = policy.allow.get(name);
    return rule === "*" || rule?.has(method);
  });
}

const namesUrisCache = new WeakMap<AuthzPolicy, boolean>();

/** Whether the policy names URI identities (SPIFFE ids), which turns the CN fallback off. */
function namesUris(policy: AuthzPolicy): boolean {
  let answer = namesUrisCache.get(policy);
  if (answer === undefined) {
    answer = [...policy.allow.keys()].some((identity) => identity.includes("://"));
    namesUrisCache.set(policy, answer);
  }
  return answer;
}
