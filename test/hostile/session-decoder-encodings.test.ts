// Property: the transport encoding of a valid session (base64 flavour, padding, whitespace, bytes that are not
// UTF-8) never changes what it means. A variant is either refused cleanly or decodes to exactly the session its
// standard encoding decodes to: a lenient decoder must not turn altered text into a different session.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeSession } from "../../src/para/session-codec.js";
import { decodeChecked, expectRejected } from "./decode-oracle.js";
import { type Json, MAX_SESSION_BYTES, validSessionDoc } from "./session-shape.js";

const RUNS = 1000;

/** Valid documents that differ in the characters their encodings use (so '+', '/', '-', '_' and padding all occur). */
const docArb = fc
  .record({ userId: fc.string({ minLength: 1, maxLength: 40 }), cookie: fc.string({ minLength: 1, maxLength: 60 }), pad: fc.nat(3) })
  .map(({ userId, cookie, pad }) => {
    const doc = validSessionDoc();
    doc["userId"] = userId;
    doc["sessionCookie"] = cookie + " ".repeat(pad);
    for (const w of Object.values(doc["wallets"] as Record<string, Record<string, Json>>)) w["userId"] = userId;
    return Buffer.from(JSON.stringify(doc));
  });

const variants: Record<string, (bytes: Buffer) => string> = {
  "base64 padded": (b) => b.toString("base64"),
  "base64 unpadded": (b) => b.toString("base64").replace(/=+$/, ""),
  "base64url unpadded": (b) => b.toString("base64url"),
  "base64url padded": (b) => b.toString("base64url").padEnd(Math.ceil(b.length / 3) * 4, "="),
  "surrounding whitespace": (b) => ` \t\n${b.toString("base64")}\r\n `,
  "MIME line breaks": (b) => b.toString("base64").replace(/.{76}/g, "$&\r\n"),
  "inner space": (b) => b.toString("base64").replace(/^(.{8})/, "$1 "),
  "mixed alphabets": (b) => b.toString("base64").replace(/\+/, "-"),
  "extra padding": (b) => `${b.toString("base64")}==`,
  "data URL prefix": (b) => `data:;base64,${b.toString("base64")}`,
};

describe("session decoder: encodings of one session", () => {
  test.each(Object.keys(variants))("%s: refused cleanly, or the very same session", (name) => {
    const encode = variants[name]!;
    fc.assert(
      fc.property(docArb, (bytes) => {
        const reference = decodeSession(bytes.toString("base64"), MAX_SESSION_BYTES);
        const outcome = decodeChecked(encode(bytes));
        if (outcome.ok) expect(outcome.session).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  test("the documented forms are accepted: standard base64, base64url, surrounding whitespace", () => {
    fc.assert(
      fc.property(docArb, (bytes) => {
        for (const name of ["base64 padded", "base64url unpadded", "surrounding whitespace"]) {
          expect(decodeChecked(variants[name]!(bytes)).ok, name).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("an invalid UTF-8 sequence anywhere in the JSON bytes is refused", () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80],
      [0xbf], // bytes that never occur / a lone continuation byte
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xf0, 0x80, 0x80, 0x80], // overlong encodings (of NUL)
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf], // UTF-16 surrogates encoded in UTF-8
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98], // truncated sequences
    );
    fc.assert(
      fc.property(docArb, invalid, fc.nat(), (bytes, bad, at) => {
        const i = at % (bytes.length + 1);
        const corrupted = Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]);
        expectRejected(corrupted.toString("base64"));
        expectRejected(corrupted.toString("base64url"));
      }),
      { numRuns: RUNS },
    );
  });

  test("a UTF-8 byte-order mark before the JSON is refused or ignored, never misread", () => {
    fc.assert(
      fc.property(docArb, (bytes) => {
        const outcome = decodeChecked(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]).toString("base64"));
        if (outcome.ok) expect(outcome.session).toEqual(decodeSession(bytes.toString("base64"), MAX_SESSION_BYTES));
      }),
      { numRuns: 100 },
    );
  });
});
