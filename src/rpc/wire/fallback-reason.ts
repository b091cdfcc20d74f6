import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { Edition, isWrapperDesc, FeatureSet_FieldPresence as Presence } from "@bufbuild/protobuf/wkt";

/**
 * Which message types the compiled codec handles, decided once per type from its descriptor. It covers proto3
 * messages of scalars, enums, messages and repeated fields, `optional` scalars, and Struct fields as JSON; a type
 * with anything else is left to protobuf-es whole (its fields' types are decided on their own). Each rule names
 * what protobuf-es represents or encodes in a way the field codecs do not reproduce.
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
  // protobuf-es shows a wrapper in a singular field as its unwrapped value.
  if (field.message !== undefined && isWrapperDesc(field.message)) return "a wrapper type field";
  return undefined;
}

/**
 * Why the compiled codec leaves `schema` to protobuf-es, or undefined when it compiles it.
 *
 * @example fallbackReason(ValueSchema) === "oneof kind"
 */
export function fallbackReason(schema: DescMessage): string | undefined {
  const edition = schema.file.edition;
  if (edition === Edition.EDITION_PROTO2) return "proto2 syntax";
  const oneof = schema.oneofs[0];
  if (oneof !== undefined) return `oneof ${oneof.name}`;
  if (schema.proto.extensionRange.length > 0) return "extension ranges";
  for (const field of schema.fields) {
    const reason = fieldReason(field, edition);
    if (reason !== undefined) return `${reason} (${field.name})`;
  }
  return undefined;
}
