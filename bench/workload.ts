/**
 * The requests each RPC sends, built once per session before any step runs,
 * so the load generator only writes prepared bytes (its CPU competes with the
 * backend and the system under test on a 2-core machine). Each request has
 * two wire forms: a gRPC frame for para-signer and the floor, and a JSON body
 * for the Express pattern. Both ask for the same Para work: no session
 * extension (CheckSession extend=false, SignMessage skip_keep_alive=true),
 * because the docs' pattern does import + isSessionActive (+ sign) only.
 */
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import {
  CheckSessionRequestSchema,
  MessageFormat,
  SignAuthorizationRequestSchema,
  SignMessageRequestSchema,
  SignSolanaTransactionRequestSchema,
  SignTransactionRequestSchema,
  SignTypedDataRequestSchema,
  VerifySessionRequestSchema,
  WalletType,
} from "../gen/para/signer/v1/signer_service_pb.js";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "../src/local-para/example-payloads.js";
import type { BenchSession } from "./backend.js";
import type { RpcName } from "./config.js";

export interface PreparedRequest {
  /** gRPC method path, e.g. /para.signer.v1.SignerService/CheckSession. */
  grpcPath: string;
  /** Length-prefixed gRPC message (5-byte header + protobuf). */
  grpcFrame: Buffer;
  /** HTTP/1.1 route of the Express pattern. */
  httpPath: string;
  httpBody: Buffer;
}

const SERVICE = "/para.signer.v1.SignerService";
const EVM_MESSAGE = Buffer.from("para-signer bench: sign this message");
const SOLANA_MESSAGE = Buffer.from("para-signer bench: any bytes for ed25519");

export function grpcFrame<D extends DescMessage>(schema: D, init: MessageInitShape<D>): Buffer {
  const body = toBinary(schema, create(schema, init));
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1); // byte 0: not compressed
  frame.set(body, 5);
  return frame;
}

function walletId(s: BenchSession, type: "EVM" | "SOLANA"): string {
  const w = s.wallets.find((x) => x.type === type);
  if (!w) throw new Error(`bench: minted session has no ${type} wallet`);
  return w.id;
}

export function prepare(rpc: RpcName, s: BenchSession): PreparedRequest {
  const json = (path: string, body: unknown) => ({ httpPath: path, httpBody: Buffer.from(JSON.stringify(body)) });
  switch (rpc) {
    case "CheckSession":
      return {
        grpcPath: `${SERVICE}/CheckSession`,
        grpcFrame: grpcFrame(CheckSessionRequestSchema, { session: s.session, extend: false }),
        ...json("/check-session", { session: s.session }),
      };
    case "SignEvmEip191":
      return {
        grpcPath: `${SERVICE}/SignMessage`,
        grpcFrame: grpcFrame(SignMessageRequestSchema, {
          session: s.session,
          message: EVM_MESSAGE,
          walletType: WalletType.EVM,
          format: MessageFormat.EIP191,
          skipKeepAlive: true,
        }),
        ...json("/sign-message", { session: s.session, walletId: walletId(s, "EVM"), messageBase64: EVM_MESSAGE.toString("base64"), format: "EIP191" }),
      };
    case "SignSolanaRaw":
      return {
        grpcPath: `${SERVICE}/SignMessage`,
        grpcFrame: grpcFrame(SignMessageRequestSchema, {
          session: s.session,
          message: SOLANA_MESSAGE,
          walletType: WalletType.SOLANA,
          format: MessageFormat.RAW,
          skipKeepAlive: true,
        }),
        ...json("/sign-message", { session: s.session, walletId: walletId(s, "SOLANA"), messageBase64: SOLANA_MESSAGE.toString("base64"), format: "RAW" }),
      };
    // The wave-2 signing RPCs have no route in the docs' pattern: the HTTP form is a placeholder no run uses.
    case "SignTransaction":
      return grpcOnly(
        `${SERVICE}/SignTransaction`,
        grpcFrame(SignTransactionRequestSchema, {
          session: s.session,
          walletId: walletId(s, "EVM"),
          unsignedTransaction: EVM_TX,
          chainId: 1n,
          skipKeepAlive: true,
        }),
      );
    case "SignTypedData":
      return grpcOnly(
        `${SERVICE}/SignTypedData`,
        grpcFrame(SignTypedDataRequestSchema, {
          session: s.session,
          walletId: walletId(s, "EVM"),
          typedDataJson: TYPED_DATA,
          skipKeepAlive: true,
        }),
      );
    case "SignAuthorization":
      return grpcOnly(
        `${SERVICE}/SignAuthorization`,
        grpcFrame(SignAuthorizationRequestSchema, {
          session: s.session,
          walletId: walletId(s, "EVM"),
          chainId: 1n,
          contractAddress: "0x000000000000000000000000000000000000dEaD",
          nonce: 0n,
          skipKeepAlive: true,
        }),
      );
    case "SignSolanaTransaction": {
      const sol = s.wallets.find((w) => w.type === "SOLANA")!;
      return grpcOnly(
        `${SERVICE}/SignSolanaTransaction`,
        grpcFrame(SignSolanaTransactionRequestSchema, {
          session: s.session,
          walletId: sol.id,
          transaction: exampleSolanaTransaction(sol.address),
          skipKeepAlive: true,
        }),
      );
    }
    case "VerifyJwt":
      return {
        grpcPath: `${SERVICE}/VerifySession`,
        grpcFrame: grpcFrame(VerifySessionRequestSchema, { credential: { case: "jwt", value: s.jwt } }),
        ...json("/verify-session", { jwt: s.jwt }),
      };
  }
}

const EVM_TX = exampleEvmTransaction(1, "eip1559");
const TYPED_DATA = JSON.stringify(exampleTypedData());

function grpcOnly(grpcPath: string, frame: Buffer): PreparedRequest {
  return { grpcPath, grpcFrame: frame, httpPath: "/unsupported", httpBody: Buffer.alloc(0) };
}

/** One prepared request per session, for one RPC. */
export function prepareAll(rpc: RpcName, sessions: readonly BenchSession[]): PreparedRequest[] {
  return sessions.map((s) => prepare(rpc, s));
}
