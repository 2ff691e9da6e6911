import { create, createFileRegistry, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, test } from "vitest";
import { SignMessageRequestSchema } from "../../gen/para/signer/v1/signer_service_pb.js";
import { requestFingerprint } from "../../src/idempotency/request-fingerprint.js";

/**
 * The request fingerprint. A test schema shaped like the signing requests (session, repeated items, a transport
 * option, the key) keeps these tests independent of when the generated code gains `idempotency_key`.
 */

const field = (name: string, number: number, type: Type, extra: { typeName?: string; label?: Label } = {}) => ({
  name,
  number,
  type,
  jsonName: name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
  label: extra.label ?? Label.OPTIONAL,
  ...(extra.typeName ? { typeName: extra.typeName } : {}),
});

const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "test/idempotency/fingerprint.proto",
    package: "test.idem",
    syntax: "proto3",
    messageType: [
      { name: "Item", field: [field("message", 1, Type.BYTES), field("wallet_id", 2, Type.STRING)] },
      {
        name: "SignThingRequest",
        field: [
          field("session", 1, Type.STRING),
          field("items", 2, Type.MESSAGE, { typeName: ".test.idem.Item", label: Label.REPEATED }),
          field("skip_keep_alive", 3, Type.BOOL),
          field("idempotency_key", 4, Type.STRING),
          field("chain_id", 5, Type.UINT64),
        ],
      },
      {
        name: "WithMap",
        field: [field("labels", 1, Type.MESSAGE, { typeName: ".test.idem.WithMap.LabelsEntry", label: Label.REPEATED })],
        nestedType: [{ name: "LabelsEntry", field: [field("key", 1, Type.STRING), field("value", 2, Type.STRING)], options: { mapEntry: true } }],
      },
      { name: "HoldsMap", field: [field("inner", 1, Type.MESSAGE, { typeName: ".test.idem.WithMap" })] },
    ],
  }),
  () => undefined,
);

function schemaNamed(name: string): DescMessage {
  const schema = registry.getMessage(`test.idem.${name}`);
  if (!schema) throw new Error(`no ${name}`);
  return schema;
}

const SignThing = schemaNamed("SignThingRequest");
const METHOD = "para.signer.v1.SignerService/SignThing";
const item = (text: string, walletId = "") => ({ message: new TextEncoder().encode(text), walletId });
const request = (init: Record<string, unknown>) => create(SignThing, init);
const fingerprint = (init: Record<string, unknown>, method = METHOD, ignored: readonly string[] = ["skip_keep_alive"]) =>
  requestFingerprint(method, SignThing, request(init), ignored);

describe("requestFingerprint", () => {
  test("equal requests give equal fingerprints, whatever order their fields were set in", () => {
    const a = fingerprint({ session: "s", items: [item("m1", "w1")], chainId: 10n });
    const b = fingerprint({ chainId: 10n, items: [{ walletId: "w1", message: new TextEncoder().encode("m1") }], session: "s" });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  test("a request decoded from the wire fingerprints as the one encoded", () => {
    const sent = request({ session: "s", items: [item("m1"), item("m2")], idempotencyKey: "k" });
    const received = fromBinary(SignThing, toBinary(SignThing, sent));
    expect(requestFingerprint(METHOD, SignThing, received)).toBe(requestFingerprint(METHOD, SignThing, sent));
  });

  test("a default value and an unset field are the same request (proto3)", () => {
    expect(fingerprint({ session: "s", chainId: 0n })).toBe(fingerprint({ session: "s" }));
  });

  test("different requests differ: another session, message, item order or chain", () => {
    const base = fingerprint({ session: "s", items: [item("m1"), item("m2")], chainId: 1n });
    const others = [
      fingerprint({ session: "t", items: [item("m1"), item("m2")], chainId: 1n }),
      fingerprint({ session: "s", items: [item("m1"), item("m3")], chainId: 1n }),
      fingerprint({ session: "s", items: [item("m2"), item("m1")], chainId: 1n }),
      fingerprint({ session: "s", items: [item("m1"), item("m2")], chainId: 2n }),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });

  test("the same request on two methods differs (one key on two RPCs is a reuse)", () => {
    expect(fingerprint({ session: "s" }, "para.signer.v1.SignerService/A")).not.toBe(fingerprint({ session: "s" }, "para.signer.v1.SignerService/B"));
  });

  test("the idempotency key itself is left out", () => {
    expect(fingerprint({ session: "s", idempotencyKey: "key-1" })).toBe(fingerprint({ session: "s", idempotencyKey: "key-2" }));
    expect(fingerprint({ session: "s", idempotencyKey: "key-1" })).toBe(fingerprint({ session: "s" }));
  });

  test("ignored transport options are left out, and only those", () => {
    expect(fingerprint({ session: "s", skipKeepAlive: true })).toBe(fingerprint({ session: "s", skipKeepAlive: false }));
    expect(fingerprint({ session: "s", skipKeepAlive: true }, METHOD, [])).not.toBe(fingerprint({ session: "s" }, METHOD, []));
  });

  test("the caller's message is not changed", () => {
    const message = request({ session: "s", idempotencyKey: "key-1", skipKeepAlive: true });
    requestFingerprint(METHOD, SignThing, message, ["skip_keep_alive"]);
    expect(message).toMatchObject({ idempotencyKey: "key-1", skipKeepAlive: true });
  });

  test("an ignored field the schema lacks throws (a typo must not go unnoticed)", () => {
    expect(() => fingerprint({ session: "s" }, METHOD, ["skip_keepalive"])).toThrow(/no field skip_keepalive/);
  });

  test("schemas with a map field anywhere are refused (map encoding follows insertion order)", () => {
    const withMap = schemaNamed("WithMap");
    expect(() => requestFingerprint(METHOD, withMap, create(withMap, { labels: { a: "1" } }))).toThrow(/labels is a map/);
    const holdsMap = schemaNamed("HoldsMap");
    expect(() => requestFingerprint(METHOD, holdsMap, create(holdsMap, {}))).toThrow(/labels is a map/);
  });

  test("works on a generated request schema, ignoring its transport option", () => {
    const a = create(SignMessageRequestSchema, { session: "s", message: new Uint8Array([1, 2]), skipKeepAlive: true });
    const b = create(SignMessageRequestSchema, { message: new Uint8Array([1, 2]), session: "s" });
    const c = create(SignMessageRequestSchema, { session: "s", message: new Uint8Array([1, 3]) });
    const fp = (m: typeof a) => requestFingerprint("para.signer.v1.SignerService/SignMessage", SignMessageRequestSchema, m, ["skip_keep_alive"]);
    expect(fp(a)).toBe(fp(b));
    expect(fp(a)).not.toBe(fp(c));
  });
});
