import type { DescField } from "@bufbuild/protobuf";
import type { MessageWire } from "./message-wire.js";
import { enumCodec, type ScalarCodec, scalarCodec } from "./scalar-codecs.js";

/**
 * What the compiled encoder and decoder need to know of a field, decided once for both: which of the four field
 * shapes they compile it as, with its value codec (a oneof member is always one of the two singular shapes). Maps
 * (and anything else `fallbackReason` refuses) have no shape here; their messages go through protobuf-es.
 */

/** A message, an init object or anything else a caller passed, seen as a record of fields. */
export type FieldRecord = Record<string, unknown>;

/** Resolves the codec of a message-typed field's type (compiled, JSON Struct or protobuf-es). */
export type WireOf = (field: DescField) => MessageWire;

/**
 * What to make of a field of each of the four compiled shapes: singular or repeated, of scalars (enums included)
 * or of messages. The compiled encoder and decoder each give one of these to {@link compileField}.
 */
export interface ShapeCompilers<T> {
  scalar(field: DescField, codec: ScalarCodec): T;
  message(field: DescField, wire: MessageWire): T;
  /** `packed`: how it is written (strings and bytes never are; `field.packed` says so for them too). */
  repeatedScalar(field: DescField, codec: ScalarCodec, packed: boolean): T;
  repeatedMessage(field: DescField, wire: MessageWire): T;
}

/** What to make of a oneof member: one of the singular shapes (protobuf allows no repeated or map member). */
export type MemberCompilers<T> = Pick<ShapeCompilers<T>, "scalar" | "message">;

/** The tag of `field` with `wireType`, as an unsigned 32-bit number. */
export function tagOf(field: DescField, wireType: number): number {
  return ((field.number << 3) | wireType) >>> 0;
}

/** `package.Message.field`, for errors. */
export function fieldName(field: DescField): string {
  return `${field.parent.typeName}.${field.name}`;
}

/**
 * What `compilers` make of `field` (of a type `fallbackReason` accepts), by its shape.
 *
 * @throws {Error} for a field no compiled codec handles (a map): a bug in `fallbackReason`.
 */
export function compileField<T>(field: DescField, wireOf: WireOf, compilers: ShapeCompilers<T>): T {
  switch (field.fieldKind) {
    case "list":
      switch (field.listKind) {
        case "scalar":
          return compilers.repeatedScalar(field, scalarCodec(field.scalar, field), field.packed);
        case "enum":
          return compilers.repeatedScalar(field, enumCodec, field.packed);
        case "message":
          return compilers.repeatedMessage(field, wireOf(field));
      }
      break;
    case "map":
      break;
    default:
      // The singular shapes are those a oneof member can have.
      return compileMember(field, wireOf, compilers);
  }
  throw new Error(`no compiled codec for ${fieldName(field)}`);
}

/**
 * What `compilers` make of `field`, a oneof member, by its shape.
 *
 * @throws {Error} for a repeated or map field, which no oneof holds.
 */
export function compileMember<T>(field: DescField, wireOf: WireOf, compilers: MemberCompilers<T>): T {
  switch (field.fieldKind) {
    case "scalar":
      return compilers.scalar(field, scalarCodec(field.scalar, field));
    case "enum":
      return compilers.scalar(field, enumCodec);
    case "message":
      return compilers.message(field, wireOf(field));
    default:
      throw new Error(`${fieldName(field)} is a ${field.fieldKind} in a oneof`);
  }
}
