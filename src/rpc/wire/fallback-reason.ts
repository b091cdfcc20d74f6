import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { Edition, isWrapperDesc, FeatureSet_FieldPresence as Presence } from "@bufbuild/protobuf/wkt";

/**
 * Which message types the compiled codec handles, decided once per type from its descriptor. It covers proto3
 * messages of scalars, enums, messages and repeated fields, `optional` scalars, oneofs, and Struct fields as JSON;
 * a type with anything else is left to protobuf-es whole (its fields' types are decided on their own). Each rule
 * names what protobuf-es represents or encodes in a way the field codecs do not reproduce.
 *
 * `google.protobuf.Value` (a oneof) is compiled like any other message where a field holds it as a message:
 * protobuf-es shows only Struct as JSON, and Struct (a map) stays with protobuf-es, inside a Value included.
 * Within session data, Struct, Value and ListValue are JSON, which json-struct.ts codes without asking here.
 */

/** Why `field` cannot be compiled, or undefined when it can. */
function fieldReason(field: DescField, edition: Edition): string | undefined {
  if (field.fieldKind === "map") return "a map field";
  if (field.presence === Presence.LEGACY_REQUIRED) return "a required field";
  if (
    (field.fieldKind === "scalar" || field.fieldKind === "enum") &&
    field.presence !== Presence.IMPLICIT &&
    edition !== Edition.EDITION_PROTO3
  ) {
    // proto3 `optional` is only "absent unless set"; elsewhere explicit presence brings defaults on a prototype.
    return "a field with explicit presence";
  }
  if ("delimitedEncoding" in field && field.delimitedEncoding) return "a group (delimited) field";
  // Unknown values of a closed enum go to the unknown fields; the compiled codec keeps no unknown fields.
  if (field.enum !== undefined && !field.enum.open) return "a closed enum field";
  // protobuf-es shows a wrapper in a singular field as its unwrapped value (in a oneof it stays a message).
  if (field.message !== undefined && isWrapperDesc(field.message) && field.oneof === undefined) {
    return "a wrapper type field";
  }
  return undefined;
}

/**
 * Why the compiled codec leaves `schema` to protobuf-es, or undefined when it compiles it.
 *
 * @example fallbackReason(StructSchema) === "a map field (fields)"
 */
export function fallbackReason(schema: DescMessage): string | undefined {
  const edition = schema.file.edition;
  if (edition === Edition.EDITION_PROTO2) return "proto2 syntax";
  if (schema.proto.extensionRange.length > 0) return "extension ranges";
  for (const field of schema.fields) {
    const reason = fieldReason(field, edition);
    if (reason !== undefined) return `${reason} (${field.name})`;
  }
  return undefined;
}
