// Property: JSON-level tricks that an object-based test cannot express, written as raw JSON text: duplicated keys,
// prototype keys (`__proto__`, `constructor`, `prototype`) at any depth, and nesting as deep as the size limit
// allows. Each is refused cleanly or read exactly as JSON.parse reads it, and nothing leaks into Object.prototype.
// And the top level's own structure: externalWallets is absent or {} only; unknown keys are dropped.
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { decodeChecked, expectRejected, type Outcome } from "./decode-oracle.js";
import { b64, type Json, MAX_SESSION_BYTES, type Path, pathsOf, validSessionDoc, withValueAt } from "./session-shape.js";

const doc = validSessionDoc();
const objectPaths: Path[] = [[], ...pathsOf(doc).filter((p) => isObject(valueAt(doc, p)))];
const memberPaths: Path[] = pathsOf(doc).filter((p) => typeof p[p.length - 1] === "string");
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** JSON text of `value`, with `extra` ("key":value text) spliced first or last into the object at `at`. */
function serialize(value: Json, at: Path, extra: string, last: boolean, here: Path = []): string {
  if (!isObject(value)) return Array.isArray(value) ? `[${value.map((v, i) => serialize(v, at, extra, last, [...here, i])).join(",")}]` : JSON.stringify(value);
  const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${serialize(v, at, extra, last, [...here, k])}`);
  if (samepath(here, at)) last ? members.push(extra) : members.unshift(extra);
  return `{${members.join(",")}}`;
}

const sameOutcome = (a: Outcome, b: Outcome) => (a.ok && b.ok ? expect(a.session).toEqual(b.session) : expect(a.ok).toBe(b.ok));

describe("session decoder: duplicated keys, prototype keys, deep nesting", () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  });

  test("a duplicated key means what JSON.parse says (the last one wins), whatever the other value is", () => {
    // Prototype keys inside the shadowed value are refused wherever they are: that is the next test's subject.
    const other = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, fc.string({ maxLength: 20 })).filter((v) => !hasPrototypeKey(v));
    fc.assert(
      fc.property(fc.constantFrom(...memberPaths), other, fc.boolean(), (path, value, otherLast) => {
        const key = String(path[path.length - 1]);
        const text = serialize(doc, path.slice(0, -1), `${JSON.stringify(key)}:${JSON.stringify(value)}`, otherLast);
        const outcome = decodeChecked(b64(text));
        // Same as the de-duplicated text (key order is where the key first appeared, as in JSON.parse) ...
        sameOutcome(outcome, decodeChecked(b64(JSON.stringify(JSON.parse(text)))));
        // ... and when the other value comes last, exactly the session with that value in place.
        if (otherLast) sameOutcome(outcome, decodeChecked(b64(JSON.stringify(withValueAt(doc, path, value)))));
      }),
      { numRuns: 1000 },
    );
  });

  test("__proto__, constructor or prototype as a key at any depth is refused, and pollutes nothing", () => {
    const payload = fc.oneof(fc.constant<Json>({ polluted: true, toString: "x", isAdmin: true }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>);
    fc.assert(
      fc.property(fc.constantFrom(...objectPaths), fc.constantFrom("__proto__", "constructor", "prototype"), payload, fc.boolean(), (at, key, value, last) => {
        expectRejected(b64(serialize(doc, at, `${JSON.stringify(key)}:${JSON.stringify(value)}`, last)));
        // The same key nested inside the injected value is refused too.
        expectRejected(b64(serialize(doc, at, `"x":{"a":[{${JSON.stringify(key)}:${JSON.stringify(value)}}]}`, last)));
        // And spelled with \u escapes, which JSON.parse decodes to the same key.
        const escaped = `"${[...key].map((ch, i) => (i % 2 === 0 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}` : ch)).join("")}"`;
        expectRejected(b64(serialize(doc, at, `${escaped}:${JSON.stringify(value)}`, last)));
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  test("nesting as deep as the size limit allows, anywhere: refused cleanly or round-trips (no stack overflow escapes)", () => {
    const room = Math.floor((MAX_SESSION_BYTES * 3) / 4) - JSON.stringify(doc).length - 16;
    const nested = fc.oneof(
      fc.integer({ min: 1, max: Math.floor(room / 2) }).map((d) => "[".repeat(d) + "]".repeat(d)),
      fc.integer({ min: 1, max: Math.floor(room / 6) }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
      fc.integer({ min: 1, max: Math.floor(room / 8) }).map((d) => `${'[{"a":'.repeat(d)}1${"}]".repeat(d)}`),
    );
    const where = fc.oneof(fc.constantFrom(...memberPaths), fc.constant<Path>(["x-unknown"]), fc.constant<Path>(["externalWallets", "deep"]));
    fc.assert(
      fc.property(where, nested, (path, deep) => {
        const marker = "__DEEP_MARKER__";
        const text = JSON.stringify(withValueAt(doc, path, marker)).replace(`"${marker}"`, deep);
        decodeChecked(b64(text));
      }),
      { numRuns: 150 },
    );
    // The extremes, always: the deepest array nesting that fits, on an ignored field and on a required one.
    for (const path of [["x-unknown"], ["userId"]]) {
      const text = JSON.stringify(withValueAt(doc, path, "__M__")).replace('"__M__"', "[".repeat(Math.floor(room / 2)) + "]".repeat(Math.floor(room / 2)));
      expect(b64(text).length).toBeLessThanOrEqual(MAX_SESSION_BYTES);
      decodeChecked(b64(text));
    }
  });
});

describe("session decoder: externalWallets", () => {
  // External-wallet sessions are not supported (session-codec.ts validateExternalWallets): a CONNECTION_ONLY session
  // makes the SDK's isSessionActive answer true without asking Para (docs/para-sdk.md §4).
  test("absent or {} is accepted, and the canonical form carries {}", () => {
    for (const value of [undefined, {}]) {
      const outcome = decodeChecked(b64(JSON.stringify(withValueAt(doc, ["externalWallets"], value))));
      if (!outcome.ok) throw outcome.error;
      expect(JSON.parse(Buffer.from(outcome.session.canonical, "base64").toString())["externalWallets"]).toEqual({});
    }
  });

  test("any other value (not an object, an array, null, a non-empty object) is INVALID_ARGUMENT MALFORMED naming the field", () => {
    const externalWallet = fc.record({ id: fc.string(), type: fc.constantFrom("EVM", "SOLANA"), address: fc.string(), providerId: fc.string() });
    const other = fc
      .oneof(
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 })) as fc.Arbitrary<Json>,
        fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), externalWallet as fc.Arbitrary<Json>, { minKeys: 1, maxKeys: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { minKeys: 1, maxKeys: 3 }),
      )
      .filter((v) => !hasPrototypeKey(v));
    fc.assert(
      fc.property(other, (value) => {
        const error = expectRejected(b64(JSON.stringify(withValueAt(doc, ["externalWallets"], value))));
        const violation = error.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
        expect(violation?.reason).toBe("MALFORMED");
        expect(violation?.description).toMatch(/^externalWallets /);
      }),
      { numRuns: 500 },
    );
  });

  test("unknown top-level keys are accepted and dropped (the SDK ignores them; the canonical form never carries them)", () => {
    const outcome = decodeChecked(b64(JSON.stringify({ ...doc, pregenIds: { x: 1 }, "x-future-field": [1, 2] })));
    if (!outcome.ok) throw outcome.error;
    expect(Object.keys(JSON.parse(Buffer.from(outcome.session.canonical, "base64").toString()) as object).sort()).toEqual([
      "authInfo",
      "currentWalletIds",
      "externalWallets",
      "sessionCookie",
      "userId",
      "wallets",
    ]);
  });
});

function hasPrototypeKey(value: Json): boolean {
  return /"(__proto__|constructor|prototype)":/.test(JSON.stringify(value));
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(value: Json, path: Path): Json | undefined {
  let here: Json | undefined = value;
  for (const key of path) here = here !== null && typeof here === "object" ? (here as Record<string | number, Json>)[key] : undefined;
  return here;
}

function samepath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
