import { describe, expect, test } from "vitest";
import { validateCheckSessionRequest, validateIssueJwtRequest } from "../../../src/signer/validation/session-requests.js";
import { EVM_WALLET, invalid, LIMITS, refusal, SESSION, SOLANA_WALLET } from "./support.js";

describe.each([
  { rpc: "CheckSession", validate: validateCheckSessionRequest },
  { rpc: "IssueJwt", validate: validateIssueJwtRequest },
])("validate$rpc Request", ({ validate }) => {
  test("accepted: the decoded session", () => {
    const { session } = validate({ session: SESSION }, LIMITS);
    expect(session.userId).toBe("user-1");
    expect(session.wallets.map((w) => w.id)).toEqual([SOLANA_WALLET.id, EVM_WALLET.id]);
    // What the SDK is given is the validated re-encoding, never the caller's bytes.
    expect(JSON.parse(Buffer.from(session.canonical, "base64").toString("utf8")).userId).toBe("user-1");
  });

  test.each([
    { note: "no session", session: "", want: invalid("session", "required", "REQUIRED") },
    { note: "over the configured limit", session: SESSION.padEnd(2049, "A"), want: invalid("session", "larger than 2048 bytes", "TOO_LARGE") },
    { note: "not JSON", session: Buffer.from("{nope").toString("base64"), want: invalid("session", "not JSON", "MALFORMED") },
    {
      note: "no wallets",
      session: Buffer.from(JSON.stringify({ userId: "u", sessionCookie: "c", wallets: {} })).toString("base64"),
      want: invalid("session", "no wallets", "MALFORMED"),
    },
  ])("refused: $note", ({ session, want }) => {
    expect(refusal(() => validate({ session }, { maxSessionBytes: 2048 }))).toEqual(want);
  });
});
