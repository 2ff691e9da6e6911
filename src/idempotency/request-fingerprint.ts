import { createHash } from "node:crypto";
import { clone, type DescField, type DescMessage, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { IDEMPOTENCY_KEY_FIELD } from "./idempotency-key.js";

/**
 * What "the same request" means for an idempotency key: sha256 over the RPC's method name and the request's binary
 * encoding, with the key itself and the given transport options cleared (hex). The method is in it so that one key
 * used on two RPCs is a reuse, not a replay of the other RPC's answer.
 *
 * Why the binary encoding is stable: protobuf-es v2 `toBinary` writes the fields in field-number order whatever order
 * the object's properties were set in, repeated fields in list order, at most one member of a oneof, proto3 fields at
 * their default not at all (unset and default are the same request), and unknown fields as they were received. Equal
 * messages therefore encode to equal bytes, and a retry decoded from the same wire bytes encodes the same. The one
 * exception is map fields, written in the map's insertion order: a schema that has one anywhere is refused here
 * rather than fingerprinted wrongly (no request of this service has one).
 *
 * `ignoredFields` are top-level proto field names (e.g. "skip_keep_alive"); a name the schema lacks throws, so a typo
 * fails at the first call instead of silently fingerprinting too much. Ignore only fields that change neither what is
 * signed nor the response's content, since a replay answers the first call's response.
 */
export function requestFingerprint<Desc extends DescMessage>(
  method: string,
  schema: Desc,
  message: MessageShape<Desc>,
  ignoredFields: readonly string[] = [],
): string {
  refuseMaps(schema);
  const copy = clone(schema, message);
  const fields = reflect(schema, copy); // a view: clearing through it clears `copy`
  const keyField = schema.fields.find((field) => field.name === IDEMPOTENCY_KEY_FIELD);
  if (keyField) fields.clear(keyField);
  for (const name of ignoredFields) fields.clear(topLevelField(schema, name));
  return createHash("sha256").update(method).update("\0").update(toBinary(schema, copy)).digest("hex");
}

function topLevelField(schema: DescMessage, name: string): DescField {
  const field = schema.fields.find((candidate) => candidate.name === name);
  if (!field) throw new Error(`${schema.typeName} has no field ${name} to leave out of the fingerprint`);
  return field;
}

const mapFree = new WeakSet<DescMessage>();

/** Throws if `schema` or any message reachable from it has a map field (checked once per schema). */
function refuseMaps(schema: DescMessage): void {
  if (mapFree.has(schema)) return;
  const seen = new Set<DescMessage>();
  const visit = (desc: DescMessage): void => {
    if (seen.has(desc)) return;
    seen.add(desc);
    for (const field of desc.fields) {
      if (field.fieldKind === "map") throw new Error(`${desc.typeName}.${field.name} is a map, whose encoding is not stable: cannot fingerprint`);
      if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) visit(field.message);
    }
  };
  visit(schema);
  mapFree.add(schema);
}
