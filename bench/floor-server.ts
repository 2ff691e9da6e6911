/**
 * System (c): the floor. The same SignerService contract on the same stack
 * (connectNodeAdapter on h2c), doing only the Para round trips an RPC cannot
 * avoid, with no SDK: CheckSession is one POST /touch naming the user, the
 * user's wallet list and Para's verified auth (each cached as para-signer
 * caches them: wallets per Para-confirmed user, auth per verification token,
 * 30 s); SignMessage is the same confirmation, then the presign
 * (messages/sign) and the MPC step exactly as the worker bundle sends them
 * (src/local-para/worker-bundle.ts); VerifySession(JWT) is a local jose
 * verify against a cached key set. No validation beyond what
 * the calls need, no telemetry, no logging: whatever para-signer costs above
 * this is the price of the SDK and of para-signer's own work.
 *
 * Env: PARA_API_KEY, PARA_SECRET_API_KEY, PARA_JWT_AUDIENCE, PORT.
 */
import { randomUUID } from "node:crypto";
import * as http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createRemoteJWKSet, jwtVerify } from "jose";
import {
  CheckSessionResponseSchema,
  MessageFormat,
  SignerService,
  SignMessageResponseSchema,
  VerifySessionResponseSchema,
  WalletType,
} from "../gen/para/signer/v1/signer_service_pb.js";

const API = "http://localhost:8080";
const apiKey = process.env["PARA_API_KEY"] ?? "";
const secretApiKey = process.env["PARA_SECRET_API_KEY"] ?? "";
const audience = process.env["PARA_JWT_AUDIENCE"] ?? "";
const CACHE_MS = 30_000;
const port = Number(process.env["PORT"] ?? "50052");
const JWKS = createRemoteJWKSet(new URL(`${API}/.well-known/jwks.json`));

interface SessionWallet {
  id: string;
  type: string;
  signer?: string;
}
interface ExportedSession {
  userId: string;
  authInfo?: { authType?: string; identifier?: string };
  sessionCookie: string;
  wallets: Record<string, SessionWallet>;
}

function decode(session: string): ExportedSession {
  try {
    return JSON.parse(Buffer.from(session, "base64").toString("utf8")) as ExportedSession;
  } catch {
    throw new ConnectError("bad session", Code.InvalidArgument);
  }
}

async function post(path: string, cookie: string, body: unknown, key = apiKey): Promise<Record<string, unknown>> {
  return answer(
    path,
    await fetch(API + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-external-api-key": key, "x-capsule-sid": cookie },
      body: JSON.stringify(body),
    }),
  );
}

async function get(path: string, cookie: string): Promise<Record<string, unknown>> {
  return answer(path, await fetch(API + path, { headers: { "x-external-api-key": apiKey, "x-capsule-sid": cookie } }));
}

async function answer(path: string, res: Response): Promise<Record<string, unknown>> {
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new ConnectError(`para ${path}: ${res.status}`, res.status === 403 ? Code.Unauthenticated : Code.Unavailable);
  return json;
}

const walletCache = new Map<string, { at: number; ids: Set<string> }>();
const authCache = new Map<string, { at: number; auth: Record<string, unknown> }>();

/**
 * The round trips that tell whether a session is active and whose it is: the touch (naming the user), the
 * user's wallet list and, when asked or when the session claims auth info, Para's verdict on the verification
 * token; the last two cached as para-signer caches them. Returns false for an inactive session.
 */
async function confirm(s: ExportedSession, withAuth: boolean): Promise<boolean> {
  const touched = await post("/touch?regenerate=false", s.sessionCookie, {});
  if (touched["isAuthenticated"] !== true) return false;
  if (touched["userId"] !== s.userId) throw new ConnectError("session mismatch", Code.Unauthenticated);
  const now = Date.now();
  const token = String(touched["sessionLookupId"] ?? "");
  // The same two questions para-signer asks, at once, each cached the same way.
  const walletsOk = (async () => {
    let wallets = walletCache.get(s.userId);
    if (!wallets || now - wallets.at > CACHE_MS) {
      const listed = (await get(`/users/${encodeURIComponent(s.userId)}/wallets?includePartnerData=true`, s.sessionCookie))["wallets"] as Array<{ id: string }>;
      walletCache.set(s.userId, (wallets = { at: now, ids: new Set(listed.map((w) => w.id)) }));
    }
    return Object.keys(s.wallets).every((id) => wallets.ids.has(id));
  })();
  const authOk = (async () => {
    if (!secretApiKey || !token || !(withAuth || s.authInfo)) return true;
    let verified = authCache.get(token);
    if (!verified || now - verified.at > CACHE_MS) {
      authCache.set(token, (verified = { at: now, auth: await post("/sessions/verify", "", { verificationToken: token }, secretApiKey) }));
    }
    return !s.authInfo || s.authInfo.identifier === verified.auth["identifier"];
  })();
  const [w, a] = await Promise.all([walletsOk, authOk]);
  if (!w || !a) throw new ConnectError("session mismatch", Code.Unauthenticated);
  return true;
}

function eip191Digest(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  return keccak_256(Buffer.concat([prefix, message]));
}

function routes(router: ConnectRouter): void {
  router.service(SignerService, {
    async checkSession(req) {
      const s = decode(req.session);
      return create(CheckSessionResponseSchema, { active: await confirm(s, true), userId: s.userId });
    },
    async signMessage(req) {
      const s = decode(req.session);
      const type = req.walletType === WalletType.SOLANA ? "SOLANA" : "EVM";
      const wallet = Object.values(s.wallets).find((w) => w.type === type);
      if (!wallet?.signer) throw new ConnectError("no wallet", Code.NotFound);
      if (!(await confirm(s, false))) throw new ConnectError("session not active", Code.Unauthenticated);
      const bytes = req.format === MessageFormat.EIP191 ? eip191Digest(req.message) : req.message;
      const message = Buffer.from(bytes).toString("base64");
      const protocolId = randomUUID();
      const ed = type === "SOLANA";
      const path = `/users/${encodeURIComponent(s.userId)}/wallets/${encodeURIComponent(wallet.id)}/messages/sign`;
      await post(path, s.sessionCookie, ed ? { message, scheme: "ED25519", protocolId } : { message, scheme: null, cosmosSignDoc: null, protocolId });
      const out = await post("/_local/mpc/sign", s.sessionCookie, { protocolId, share: wallet.signer, message });
      const signature = String(out["signature"]);
      return create(SignMessageResponseSchema, { walletId: wallet.id, walletType: req.walletType, encodedSignature: signature });
    },
    async verifySession(req) {
      if (req.credential.case !== "jwt") throw new ConnectError("jwt only", Code.Unimplemented);
      try {
        const { payload } = await jwtVerify(req.credential.value, JWKS, { audience });
        return create(VerifySessionResponseSchema, { userId: payload.sub ?? "" });
      } catch {
        throw new ConnectError("jwt invalid", Code.Unauthenticated);
      }
    },
  });
}

http2.createServer(connectNodeAdapter({ routes })).listen(port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
