// Property: whatever arrives as `session` (any text, any bytes, any JSON), decodeSession answers with a session it
// can round-trip or a clean INVALID_ARGUMENT, never another exception, never an echo.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeChecked, expectRejected } from "./decode-oracle.js";
import { b64, encodeDoc, MAX_SESSION_BYTES, validSessionDoc } from "./session-shape.js";

const RUNS = 1000;
const BASE64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_";

describe("session decoder: garbage in, clean INVALID_ARGUMENT out", () => {
  test("arbitrary strings (every unit: ascii, full unicode, lone surrogates)", () => {
    const unit = fc.constantFrom("grapheme", "grapheme-composite", "grapheme-ascii", "binary", "binary-ascii") as fc.Arbitrary<"binary">;
    const text = unit.chain((u) => fc.string({ unit: u, maxLength: 300 }));
    fc.assert(
      fc.property(text, (s) => void decodeChecked(s)),
      { numRuns: RUNS },
    );
  });

  test("strings over the base64 alphabets (they get past the alphabet check and must fail later, cleanly)", () => {
    const chars = fc.string({ unit: fc.constantFrom(...BASE64_CHARS), maxLength: 400 });
    fc.assert(
      fc.property(chars, (s) => void decodeChecked(s)),
      { numRuns: RUNS },
    );
  });

  test("arbitrary bytes, base64 and base64url encoded (invalid UTF-8 included)", () => {
    const encoded = fc.tuple(fc.uint8Array({ maxLength: 512 }), fc.constantFrom("base64", "base64url") as fc.Arbitrary<BufferEncoding>);
    fc.assert(
      fc.property(encoded, ([bytes, enc]) => void decodeChecked(Buffer.from(bytes).toString(enc))),
      { numRuns: RUNS },
    );
  });

  test("arbitrary JSON values, base64 encoded: only an object of the session's shape is accepted", () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }),
      fc.json({ maxDepth: 6 }).map((t) => JSON.parse(t) as unknown),
    );
    fc.assert(
      fc.property(value, (v) => {
        const outcome = decodeChecked(b64(JSON.stringify(v) ?? "null"));
        // Random JSON never carries userId, sessionCookie and well-formed wallets together.
        expect(outcome.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  test("inputs over the size limit are refused before any decoding", () => {
    const oversize = fc.integer({ min: MAX_SESSION_BYTES + 1, max: MAX_SESSION_BYTES + 4096 }).map((n) => "A".repeat(n));
    fc.assert(
      fc.property(oversize, (s) => void expectRejected(s)),
      { numRuns: 50 },
    );
    // A valid session padded past the limit with trailing whitespace is still over the limit.
    expectRejected(encodeDoc(validSessionDoc()).padEnd(MAX_SESSION_BYTES + 1, " "));
  });

  test("the empty string and whitespace-only strings are refused", () => {
    const blank = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r", "\u00a0", "\ufeff", "\u2028"), maxLength: 50 });
    fc.assert(
      fc.property(blank, (s) => void expectRejected(s)),
      { numRuns: 200 },
    );
  });
});
