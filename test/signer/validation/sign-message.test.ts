import { create } from "@bufbuild/protobuf";
import { hashMessage, toBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MessageFormat, SignMessageRequestSchema, WalletType } from "../../../gen/para/signer/v1/signer_service_pb.js";
import { validateMessageToSign, validateSignMessageRequest } from "../../../src/signer/validation/sign-message.js";
import { decodeSession } from "../../../src/para/session-codec.js";
import { EVM_WALLET, invalid, LIMITS, NOT_FOUND_BY_ID, NOT_FOUND_BY_TYPE, refusal, SESSION, SIGNER_MISSING, SOLANA_WALLET, sessionWith } from "./support.js";

const DIGEST = new Uint8Array(32).fill(9);
type Fields = { session?: string; message?: Uint8Array; walletId?: string; walletType?: WalletType; format?: MessageFormat };
const request = (fields: Fields) => create(SignMessageRequestSchema, { session: SESSION, message: DIGEST, ...fields });
const refused = (fields: Fields, limits = LIMITS) => refusal(() => validateSignMessageRequest(request(fields), limits));

describe("validateSignMessageRequest: accepted", () => {
  test("no wallet named: the EVM wallet (EVM first), RAW, the 32-byte digest as given", () => {
    const valid = validateSignMessageRequest(request({}), LIMITS);
    expect(valid.session.userId).toBe("user-1");
    expect(valid.wallet).toMatchObject({ id: EVM_WALLET.id, type: "EVM", hasSigner: true });
    expect(valid.format).toBe("RAW");
    expect(valid.bytes).toEqual(DIGEST);
  });

  test("EIP191: the bytes signed are the EIP-191 digest (viem's hashMessage)", () => {
    const message = new TextEncoder().encode("hello para");
    const valid = validateSignMessageRequest(request({ message, format: MessageFormat.EIP191 }), LIMITS);
    expect(valid.format).toBe("EIP191");
    expect(valid.bytes).toEqual(toBytes(hashMessage({ raw: message })));
  });

  test("a Solana wallet, by type or by id, signs the message itself (any length up to the limit)", () => {
    const message = new Uint8Array(LIMITS.maxMessageBytes).fill(1);
    for (const fields of [{ walletType: WalletType.SOLANA }, { walletId: SOLANA_WALLET.id }]) {
      const valid = validateSignMessageRequest(request({ message, ...fields }), LIMITS);
      expect(valid.wallet.id).toBe(SOLANA_WALLET.id);
      expect(valid.bytes).toEqual(message);
    }
  });

  test("validateMessageToSign checks one message against a decoded session (a batch item)", () => {
    const session = decodeSession(SESSION, LIMITS.maxSessionBytes);
    const valid = validateMessageToSign(session, { message: DIGEST, walletId: "", walletType: WalletType.EVM, format: MessageFormat.RAW }, LIMITS);
    expect(valid.wallet.id).toBe(EVM_WALLET.id);
    expect(refusal(() => validateMessageToSign(session, { message: DIGEST, walletId: "nope", walletType: 0, format: 0 }, LIMITS))).toEqual(NOT_FOUND_BY_ID);
  });
});

describe("validateSignMessageRequest: each refusal, with its code, field and reason", () => {
  test.each([
    { note: "no session", fields: { session: "" }, want: invalid("session", "required", "REQUIRED") },
    {
      note: "session over its limit",
      fields: { session: "A".repeat(LIMITS.maxSessionBytes + 1) },
      want: invalid("session", `larger than ${LIMITS.maxSessionBytes} bytes`, "TOO_LARGE"),
    },
    { note: "session not base64", fields: { session: "not base64!" }, want: invalid("session", "not base64", "MALFORMED") },
    { note: "unknown format", fields: { format: 7 as MessageFormat }, want: invalid("format", "unknown message format", "INVALID") },
    { note: "unknown wallet type", fields: { walletType: 9 as WalletType }, want: invalid("wallet_type", "unknown wallet type", "INVALID") },
    { note: "wallet_id not in the session", fields: { walletId: "w-other" }, want: NOT_FOUND_BY_ID },
    { note: "wallet_id of another type", fields: { walletId: EVM_WALLET.id, walletType: WalletType.SOLANA }, want: NOT_FOUND_BY_ID },
    { note: "no wallet of the type", fields: { walletType: WalletType.COSMOS }, want: NOT_FOUND_BY_TYPE },
    { note: "no message", fields: { message: new Uint8Array() }, want: invalid("message", "required", "REQUIRED") },
    {
      note: "message over the limit",
      fields: { message: new Uint8Array(LIMITS.maxMessageBytes + 1), format: MessageFormat.EIP191 },
      want: invalid("message", `larger than ${LIMITS.maxMessageBytes} bytes`, "TOO_LARGE"),
    },
    {
      note: "RAW for EVM, not 32 bytes",
      fields: { message: new Uint8Array(33) },
      want: invalid("message", "RAW secp256k1 signing takes a 32-byte digest", "NOT_A_DIGEST"),
    },
    {
      note: "EIP191 with a Solana wallet",
      fields: { walletType: WalletType.SOLANA, format: MessageFormat.EIP191 },
      want: invalid("format", "EIP191 applies to EVM wallets only", "UNSUPPORTED"),
    },
  ])("$note", ({ fields, want }) => {
    expect(refused(fields)).toEqual(want);
  });

  test("a wallet without its signer share: FAILED_PRECONDITION SIGNER_MISSING", () => {
    expect(refused({ session: sessionWith({ ...EVM_WALLET, signer: false }) })).toEqual(SIGNER_MISSING);
  });

  test("the message limit is the configured one", () => {
    const limits = { ...LIMITS, maxMessageBytes: 100 };
    const message = new Uint8Array(101);
    expect(refused({ message, format: MessageFormat.EIP191 }, limits)).toEqual(invalid("message", "larger than 100 bytes", "TOO_LARGE"));
    expect(validateSignMessageRequest(request({ message: message.slice(1), format: MessageFormat.EIP191 }), limits).bytes).toHaveLength(32);
  });

  test("checks answer in order: session, format, wallet type, wallet, message", () => {
    const allBad = { message: new Uint8Array(), walletId: "w-other", walletType: 9 as WalletType, format: 7 as MessageFormat };
    expect(refused({ ...allBad, session: "" }).violations[0]?.field).toBe("session");
    expect(refused(allBad).violations[0]?.field).toBe("format");
    expect(refused({ ...allBad, format: MessageFormat.RAW }).violations[0]?.field).toBe("wallet_type");
    expect(refused({ ...allBad, format: MessageFormat.RAW, walletType: WalletType.EVM })).toEqual(NOT_FOUND_BY_ID);
    expect(refused({ ...allBad, format: MessageFormat.RAW, walletType: WalletType.EVM, walletId: "" }).violations[0]?.field).toBe("message");
  });
});
