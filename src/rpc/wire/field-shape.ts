import type { DescField } from "@bufbuild/protobuf";
import type { MessageWire } from "./message-wire.js";
import { enumCodec, type ScalarCodec, scalarCodec } from "./scalar-codecs.js";

/**
 * What the compiled encoder and decoder need to know of a field, decided once for both: which of the four field
 * shapes they compile it as, with its value codec. Maps (and anything else `fallbackReason` refuses) have no
 * shape here; their messages go through protobuf-es.
 */

/** A message, an init object or anything else a caller passed, seen as a record of fields. */
export type FieldRecord = Record<string, unknown>;

/** Resolves the codec of a message-typed field's type (compiled, JSON Struct or protobuf-es). */
export type WireOf = (field: DescField) => MessageWire;

/** A compiled field: singular or repeated, of scalars (enums included) or of messages. */
export type FieldShape =
  | { readonly kind: "scalar"; readonly codec: ScalarCodec }
  | { readonly kind: "message"; readonly wire: MessageWire }
  /** `packed`: how it is written (strings and bytes never are; `field.packed` says so for them too). */
  | { readonly kind: "repeatedScalar"; readonly codec: ScalarCodec; readonly packed: boolean }
  | { readonly kind: "repeatedMessage"; readonly wire: MessageWire };

/** The tag of `field` with `wireType`, as an unsigned 32-bit number. */
export function tagOf(field: DescField, wireType: number): number {
  return ((field.number << 3) | wireType) >>> 0;
}

/** `package.Message.field`, for errors. */
export function fieldName(field: DescField): string {
  return `${field.parent.typeName}.${field.name}`;
}

/**
 * The shape of `field` (of a type `fallbackReason` accepts).
 *
 * @throws {Error} for a field no compiled codec handles (a map): a bug in `fallbackReason`.
 */
export function fieldShape(field: DescField, wireOf: WireOf): FieldShape {
  switch (field.fieldKind) {
    case "scalar":
      return { kind: "scalar", codec: scalarCodec(field.scalar, field) };
    case "enum":
      return { kind: "scalar", codec: enumCodec };
    case "message":
      return { kind: "message", wire: wireOf(field) };
    case "list":
      switch (field.listKind) {
        case "scalar":
          return { kind: "repeatedScalar", codec: scalarCodec(field.scalar, field), packed: field.packed };
        case "enum":
          return { kind: "repeatedScalar", codec: enumCodec, packed: field.packed };
        case "message":
          return { kind: "repeatedMessage", wire: wireOf(field) };
      }
      break;
    case "map":
      break;
  }
  throw new Error(`no compiled codec for ${fieldName(field)}`);
}
