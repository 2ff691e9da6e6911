import { describe, expect, test } from "vitest";
import { validateVerifySessionRequest, validateVerifyWalletRequest } from "../../../src/signer/validation/verify-requests.js";
import { invalid, LIMITS, refusal } from "./support.js";

describe("validateVerifySessionRequest", () => {
  test("accepted: which credential, and its value", () => {
    expect(validateVerifySessionRequest({ credential: { case: "verificationToken", value: "tok-1" } }, LIMITS)).toEqual({
      kind: "verificationToken",
      verificationToken: "tok-1",
    });
    expect(validateVerifySessionRequest({ credential: { case: "jwt", value: "a.b.c" } }, LIMITS)).toEqual({ kind: "jwt", jwt: "a.b.c" });
  });

  test.each([
    { note: "no credential", credential: { case: undefined, value: undefined }, want: invalid("credential", "set verification_token or jwt", "REQUIRED") },
    { note: "empty token", credential: { case: "verificationToken", value: "" }, want: invalid("verification_token", "required", "REQUIRED") },
    { note: "empty jwt", credential: { case: "jwt", value: "" }, want: invalid("jwt", "required", "REQUIRED") },
    {
      note: "token over the configured limit",
      credential: { case: "verificationToken", value: "t".repeat(1025) },
      want: invalid("verification_token", "longer than 1024 characters", "TOO_LARGE"),
    },
    {
      note: "jwt over the configured limit",
      credential: { case: "jwt", value: "j".repeat(1025) },
      want: invalid("jwt", "longer than 1024 characters", "TOO_LARGE"),
    },
  ] as const)("refused: $note", ({ credential, want }) => {
    expect(refusal(() => validateVerifySessionRequest({ credential }, { maxCredentialChars: 1024 }))).toEqual(want);
  });

  test("exactly the configured limit is accepted", () => {
    const jwt = "j".repeat(1024);
    expect(validateVerifySessionRequest({ credential: { case: "jwt", value: jwt } }, { maxCredentialChars: 1024 })).toEqual({ kind: "jwt", jwt });
  });
});

describe("validateVerifyWalletRequest", () => {
  test.each(["0x1111111111111111111111111111111111111111", "GmaDrppBC7P5ARKV8g3djiwP89vz1jLK23V2GBjuAEGB", "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"])(
    "accepted: %s",
    (address) => {
      expect(validateVerifyWalletRequest({ address }, LIMITS)).toEqual({ address });
    },
  );

  test.each([
    { note: "empty", address: "", want: invalid("address", "required", "REQUIRED") },
    { note: "over the configured limit", address: "a".repeat(65), want: invalid("address", "longer than 64 characters", "TOO_LARGE") },
    { note: "not letters and digits", address: "0x11/../wallets", want: invalid("address", "not a wallet address", "MALFORMED") },
    { note: "whitespace", address: " 0x11", want: invalid("address", "not a wallet address", "MALFORMED") },
  ])("refused: $note", ({ address, want }) => {
    expect(refusal(() => validateVerifyWalletRequest({ address }, { maxAddressChars: 64 }))).toEqual(want);
  });

  test("the length is checked before the characters", () => {
    expect(refusal(() => validateVerifyWalletRequest({ address: "-".repeat(65) }, { maxAddressChars: 64 })).violations[0]?.reason).toBe("TOO_LARGE");
  });
});
