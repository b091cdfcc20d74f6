import type { DescField } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence as Presence } from "@bufbuild/protobuf/wkt";
import { compileField, type FieldRecord, fieldName, tagOf, type WireOf } from "./field-shape.js";
import { type MessageWire, writeDelimited } from "./message-wire.js";
import type { ScalarCodec } from "./scalar-codecs.js";
import { WireEncodeError } from "./wire-errors.js";
import { WireType } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * One closure per field that writes it (tag and value) from a message or an init object, or writes nothing when
 * the field is unset: `undefined` or `null` (which create() ignores), an implicit-presence zero value, an empty
 * list. Values are written as protobuf-es writes them, so the bytes are the same.
 */

/** Writes one field of `message`, the message being at `depth`. */
export type FieldEncoder = (writer: WireWriter, message: FieldRecord, depth: number) => void;

function invalid(field: DescField, value: unknown): never {
  const what =
    value === null || value === undefined ? String(value) : Array.isArray(value) ? "array" : typeof value;
  throw new WireEncodeError(`cannot encode ${fieldName(field)}: invalid value (${what})`);
}

function singularScalar(field: DescField, codec: ScalarCodec): FieldEncoder {
  const name = field.localName;
  const tag = tagOf(field, codec.wireType);
  // proto3 `optional`: written whenever set, zero included.
  if (field.presence !== Presence.IMPLICIT) {
    return (writer, message) => {
      const value = message[name];
      if (value === undefined || value === null) return;
      writer.uint32(tag);
      if (!codec.write(writer, value)) invalid(field, value);
    };
  }
  const isZero = codec.isZero;
  return (writer, message) => {
    const value = message[name];
    if (value === undefined || value === null || isZero(value)) return;
    writer.uint32(tag);
    if (!codec.write(writer, value)) invalid(field, value);
  };
}

function singularMessage(field: DescField, wire: MessageWire): FieldEncoder {
  const name = field.localName;
  const tag = tagOf(field, WireType.LEN);
  return (writer, message, depth) => {
    const value = message[name];
    if (value === undefined || value === null) return;
    writer.uint32(tag);
    writeDelimited(writer, wire, value, depth + 1);
  };
}

/** The list in `message[name]`, or undefined when unset or empty. */
function listOf(field: DescField, message: FieldRecord): readonly unknown[] | undefined {
  const value = message[field.localName];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) invalid(field, value);
  return value.length === 0 ? undefined : value;
}

function repeatedScalar(field: DescField, codec: ScalarCodec, packed: boolean): FieldEncoder {
  if (packed) {
    const tag = tagOf(field, WireType.LEN);
    return (writer, message) => {
      const list = listOf(field, message);
      if (list === undefined) return;
      writer.uint32(tag);
      const start = writer.fork();
      for (const value of list) if (!codec.write(writer, value)) invalid(field, value);
      writer.join(start);
    };
  }
  const tag = tagOf(field, codec.wireType);
  return (writer, message) => {
    const list = listOf(field, message);
    if (list === undefined) return;
    for (const value of list) {
      writer.uint32(tag);
      if (!codec.write(writer, value)) invalid(field, value);
    }
  };
}

function repeatedMessage(field: DescField, wire: MessageWire): FieldEncoder {
  const tag = tagOf(field, WireType.LEN);
  return (writer, message, depth) => {
    const list = listOf(field, message);
    if (list === undefined) return;
    for (const value of list) {
      if (value === undefined || value === null) invalid(field, value);
      writer.uint32(tag);
      writeDelimited(writer, wire, value, depth + 1);
    }
  };
}

/** The encoder of `field` (of a type `fallbackReason` accepts). */
export function fieldEncoder(field: DescField, wireOf: WireOf): FieldEncoder {
  return compileField(field, wireOf, {
    scalar: singularScalar,
    message: singularMessage,
    repeatedScalar,
    repeatedMessage,
  });
}
