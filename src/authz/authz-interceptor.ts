import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { kCallerIdentity } from "./caller-identity.js";
import { type AuthzPolicy, isAllowed } from "./policy.js";

/**
 * Deny-by-default caller authorization for SignerService once a policy is
 * configured: the caller's identity must be allowed the RPC. When the policy
 * trusts x-forwarded-client-cert and the header is present, it alone decides
 * (a malformed one denies; it never falls back to another identity); else the
 * mTLS peer certificate does. Health and reflection stay open to probes and tools.
 */
export function createAuthzInterceptor(policy: AuthzPolicy): Interceptor {
  return (next) => async (req) => {
    if (req.service.typeName !== SignerService.typeName) return next(req);
    const caller = req.contextValues.get(kCallerIdentity);
    const identity = (policy.trustForwardedClientCert ? caller.forwardedClientCert : undefined) ?? caller.peerCertificate;
    if (!identity || (identity.uris.length === 0 && identity.cn === undefined)) throw new ConnectError("caller identity required", Code.PermissionDenied);
    if (!isAllowed(policy, identity, req.method.name)) {
      throw new ConnectError(`caller is not allowed to call ${req.method.name}`, Code.PermissionDenied);
    }
    return next(req);
  };
}
