import { describe, expect, test } from "vitest";
import { exampleSolanaTransaction } from "../../../src/local-para/example-payloads.js";
import { validateSignSolanaTransactionRequest } from "../../../src/signer/validation/solana-request.js";
import {
  EVM_WALLET,
  invalid,
  LIMITS,
  NOT_FOUND_BY_ID,
  NOT_FOUND_BY_TYPE,
  refusal,
  SESSION,
  SIGNER_MISSING,
  SOLANA_OTHER,
  SOLANA_PAYER,
  SOLANA_WALLET,
  sessionWith,
} from "./support.js";

const TX = exampleSolanaTransaction(SOLANA_PAYER);
const req = (fields: Partial<{ session: string; walletId: string; transaction: Uint8Array }> = {}) => ({
  session: SESSION,
  walletId: "",
  transaction: TX,
  ...fields,
});
const NOT_A_SIGNER = (field: string) => invalid(field, "the wallet is not one of the transaction's required signers", "NOT_A_SIGNER");

describe("validateSignSolanaTransactionRequest", () => {
  test("accepted: the Solana wallet, the decoded transaction, and which field chose the wallet", () => {
    const chosen = validateSignSolanaTransactionRequest(req(), LIMITS);
    expect(chosen.wallet.id).toBe(SOLANA_WALLET.id);
    expect(chosen.transaction).toMatchObject({ version: "v0", signers: [SOLANA_PAYER], length: TX.length });
    expect(chosen.signerField).toBe("transaction");
    expect(validateSignSolanaTransactionRequest(req({ walletId: SOLANA_WALLET.id }), LIMITS).signerField).toBe("wallet_id");
    expect(validateSignSolanaTransactionRequest(req({ transaction: exampleSolanaTransaction(SOLANA_PAYER, "legacy") }), LIMITS).transaction.version).toBe(
      "legacy",
    );
  });

  test.each([
    { note: "no session", fields: { session: "" }, want: invalid("session", "required", "REQUIRED") },
    { note: "no transaction", fields: { transaction: new Uint8Array() }, want: invalid("transaction", "required", "REQUIRED") },
    {
      note: "over the message limit",
      fields: { transaction: new Uint8Array(LIMITS.maxMessageBytes + 1) },
      want: invalid("transaction", `larger than ${LIMITS.maxMessageBytes} bytes`, "TOO_LARGE"),
    },
    {
      note: "trailing bytes",
      fields: { transaction: Uint8Array.of(...TX, 0) },
      want: invalid("transaction", "not a well-formed legacy or v0 wire transaction", "MALFORMED"),
    },
    { note: "wallet_id not in the session", fields: { walletId: "w-other" }, want: NOT_FOUND_BY_ID },
    { note: "wallet_id of an EVM wallet", fields: { walletId: EVM_WALLET.id }, want: NOT_FOUND_BY_ID },
    { note: "no Solana wallet", fields: { session: sessionWith(EVM_WALLET) }, want: NOT_FOUND_BY_TYPE },
    { note: "Solana wallet without its signer share", fields: { session: sessionWith({ ...SOLANA_WALLET, signer: false }) }, want: SIGNER_MISSING },
    { note: "the chosen wallet does not sign it", fields: { transaction: exampleSolanaTransaction(SOLANA_OTHER) }, want: NOT_A_SIGNER("transaction") },
    {
      note: "the named wallet does not sign it",
      fields: { transaction: exampleSolanaTransaction(SOLANA_OTHER), walletId: SOLANA_WALLET.id },
      want: NOT_A_SIGNER("wallet_id"),
    },
  ])("refused: $note", ({ fields, want }) => {
    expect(refusal(() => validateSignSolanaTransactionRequest(req(fields), LIMITS))).toEqual(want);
  });

  test("checks answer in order: session, transaction, wallet, signer", () => {
    const bad = { transaction: new Uint8Array(), walletId: "w-other" };
    expect(refusal(() => validateSignSolanaTransactionRequest(req({ ...bad, session: "" }), LIMITS)).violations[0]?.field).toBe("session");
    expect(refusal(() => validateSignSolanaTransactionRequest(req(bad), LIMITS)).violations[0]?.field).toBe("transaction");
    expect(
      refusal(() => validateSignSolanaTransactionRequest(req({ walletId: "w-other", transaction: exampleSolanaTransaction(SOLANA_OTHER) }), LIMITS)),
    ).toEqual(NOT_FOUND_BY_ID);
  });
});
