// Property: a valid session with any of its fields replaced by a value of the wrong kind (number, array, null,
// object, empty or huge string) or removed is either still a session that round-trips, or refused cleanly; and a
// broken REQUIRED field is always refused (the SDK validates nothing, docs/para-sdk.md §3.2, so whatever gets past here
// reaches it).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeChecked, expectRejected } from "./decode-oracle.js";
import { encodeDoc, type Json, type Path, pathsOf, validSessionDoc, withValueAt } from "./session-shape.js";

const RUNS = 1500;
const doc = validSessionDoc();
const allPaths = pathsOf(doc);

const hugeString = fc.integer({ min: 1025, max: 40_000 }).map((n) => "h".repeat(n));
/** Any JSON value that is not a non-empty string of sane length. */
const notText: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(""),
  hugeString,
  fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxKeys: 4 }),
);
/** A replacement: a wrong kind, any string, or removal (undefined). */
const replacement: fc.Arbitrary<Json | undefined> = fc.oneof(notText, fc.string({ maxLength: 30 }), fc.constant(undefined));

const walletPaths = (field: string): Path[] => Object.keys(doc["wallets"] as object).map((id) => ["wallets", id, field]);
/** Fields without which no session can be imported, and that must be non-empty strings. */
const requiredText: Path[] = [["userId"], ["sessionCookie"], ...["id", "address"].flatMap(walletPaths)];

describe("session decoder: mutations of a valid session", () => {
  test("a wallet without publicKey decodes, and its canonical form round-trips (it once did not)", () => {
    const outcome = decodeChecked(encodeDoc(withValueAt(doc, ["wallets", "w-evm-1", "publicKey"], undefined)));
    if (!outcome.ok) throw outcome.error;
  });

  test("the unmutated session decodes, round-trips, and reports its wallets in order", () => {
    const outcome = decodeChecked(encodeDoc(doc));
    if (!outcome.ok) throw outcome.error;
    expect(outcome.session.wallets.map((w) => [w.id, w.type, w.hasSigner])).toEqual([
      ["w-evm-1", "EVM", true],
      ["w-sol-1", "SOLANA", true],
    ]);
  });

  test("one to three fields anywhere replaced or removed: round-trips or is refused cleanly", () => {
    const mutation = fc.tuple(fc.constantFrom(...allPaths), replacement);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const mutated = mutations.reduce<Json>((d, [path, value]) => withValueAt(d, path, value), doc);
        decodeChecked(encodeDoc(mutated));
      }),
      { numRuns: RUNS },
    );
  });

  test("a required text field that is missing, empty, huge or not a string is always refused", () => {
    fc.assert(
      fc.property(fc.constantFrom(...requiredText), fc.oneof(notText, fc.constant(undefined)), (path, value) => {
        expectRejected(encodeDoc(withValueAt(doc, path, value)));
      }),
      { numRuns: RUNS },
    );
  });

  test("wallet type and scheme outside their enums (any string, any kind) are always refused", () => {
    const paths = [...walletPaths("type"), ...walletPaths("scheme")];
    const outside = fc.oneof(
      notText,
      fc.string({ maxLength: 12 }).filter((s) => !["EVM", "SOLANA", "COSMOS", "DKLS", "CGGMP", "ED25519"].includes(s)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), outside, (path, value) => void expectRejected(encodeDoc(withValueAt(doc, path, value)))),
      {
        numRuns: 500,
      },
    );
  });

  test("wallets as an array, as an empty object, or as a map to non-objects is refused", () => {
    const walletIds = Object.keys(doc["wallets"] as object);
    expectRejected(encodeDoc({ ...doc, wallets: Object.values(doc["wallets"] as object) as Json[] }));
    expectRejected(encodeDoc({ ...doc, wallets: {} }));
    fc.assert(
      fc.property(fc.constantFrom(...walletIds), notText, (id, value) => void expectRejected(encodeDoc(withValueAt(doc, ["wallets", id], value)))),
      { numRuns: 300 },
    );
  });

  test("unknown keys are dropped: the canonical form the SDK imports carries only validated fields", () => {
    const known = new Set(["authInfo", "userId", "wallets", "currentWalletIds", "sessionCookie", "externalWallets"]);
    const extra = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !known.has(k) && !["__proto__", "constructor", "prototype"].includes(k)),
      // Values holding prototype keys are refused, not dropped (session-decoder-structure.test.ts).
      (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v))),
      { minKeys: 1, maxKeys: 5 },
    );
    const reference = decodeChecked(encodeDoc(doc));
    fc.assert(
      fc.property(extra, (keys) => {
        const outcome = decodeChecked(encodeDoc({ ...keys, ...doc }));
        expect(outcome).toEqual(reference);
        if (!outcome.ok) return;
        const imported = JSON.parse(Buffer.from(outcome.session.canonical, "base64").toString()) as Record<string, unknown>;
        expect(Object.keys(imported).filter((k) => !known.has(k))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
