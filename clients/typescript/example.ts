// para-signer from TypeScript (Connect over gRPC): check a session, sign with its
// EVM wallet (EIP-191), and read the google.rpc error details of two failing calls.
//
//   npx buf generate --template clients/typescript/buf.gen.yaml
//   PARA_SESSION="$S" npx tsx clients/typescript/example.ts http://127.0.0.1:50051
//
// The session comes from the environment, not the command line (other users can
// read command lines).
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { MessageFormat, SignerService, WalletType } from "./gen/para/signer/v1/signer_service_pb.js";

const DEADLINE_MS = 10_000; // every call gets a deadline; the server caps it at SIGNER_MAX_TIMEOUT_MS

function describe(error: unknown): string {
  const err = ConnectError.from(error);
  const parts = [Code[err.code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase(), JSON.stringify(err.rawMessage)];
  for (const d of err.findDetails(BadRequestSchema)) parts.push(...d.fieldViolations.map((v) => `field=${v.field} (${v.description})`));
  for (const d of err.findDetails(ErrorInfoSchema)) parts.push(`reason=${d.reason} domain=${d.domain}`);
  for (const d of err.findDetails(RetryInfoSchema)) parts.push(`retry_after=${Number(d.retryDelay?.seconds ?? 0n)}s`);
  return parts.join(" ");
}

const baseUrl = process.argv[2] ?? "http://127.0.0.1:50051";
const session = process.env["PARA_SESSION"];
if (!session) throw new Error("PARA_SESSION is not set");
// One transport per process, shared by every call (it multiplexes over HTTP/2).
const signer = createClient(SignerService, createGrpcTransport({ baseUrl }));
const opts = { timeoutMs: DEADLINE_MS };

const check = await signer.checkSession({ session }, opts);
console.log(`check: active=${check.active} wallets=${check.wallets.length}`);

const message = "hello from typescript";
const signed = await signer.signMessage(
  { session, message: new TextEncoder().encode(message), walletType: WalletType.EVM, format: MessageFormat.EIP191 },
  opts,
);
console.log(`sign: message=${message} address=${signed.address} signature=${signed.encodedSignature}`);

await signer.checkSession({ session: "not a session" }, opts).catch((e: unknown) => console.log(`bad session: ${describe(e)}`));
await signer
  .signMessage({ session, message: new TextEncoder().encode(message), walletId: "00000000-0000-4000-8000-000000000000", format: MessageFormat.EIP191 }, opts)
  .catch((e: unknown) => console.log(`unknown wallet: ${describe(e)}`));
