import type { DescField, DescOneof } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence as Presence } from "@bufbuild/protobuf/wkt";
import {
  compileField,
  compileMember,
  type FieldRecord,
  fieldName,
  type MemberCompilers,
  tagOf,
  type WireOf,
} from "./field-shape.js";
import { type MessageWire, writeDelimited } from "./message-wire.js";
import type { ScalarCodec } from "./scalar-codecs.js";
import { WireEncodeError } from "./wire-errors.js";
import { WireType } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * One closure per field that writes it (tag and value) from a message or an init object, or writes nothing when
 * the field is unset: `undefined` or `null` (which create() ignores), an implicit-presence zero value, an empty
 * list. Values are written as protobuf-es writes them, so the bytes are the same.
 *
 * A oneof is `{ case, value }` (or undefined, null, `{ case: undefined }`: none selected). Each of its members has
 * an encoder of its own at its place in field number order, because that is where protobuf-es writes whichever
 * member is selected; it writes the value when its case is the one selected, zero values included.
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

/** Writes the value of a oneof member whose case is selected, tag included. */
type MemberWriter = (writer: WireWriter, value: unknown, depth: number) => void;

/** A oneof as init objects and messages hold it. */
interface OneofValue {
  readonly case?: unknown;
  readonly value?: unknown;
}

function memberScalar(field: DescField, codec: ScalarCodec): MemberWriter {
  const tag = tagOf(field, codec.wireType);
  // No zero test: a selected member is set whatever its value (undefined fails the codec's check).
  return (writer, value) => {
    writer.uint32(tag);
    if (!codec.write(writer, value)) invalid(field, value);
  };
}

function memberMessage(field: DescField, wire: MessageWire): MemberWriter {
  const tag = tagOf(field, WireType.LEN);
  return (writer, value, depth) => {
    // A selected case without its message is refused: protobuf-es would write an empty message for it, a
    // default nobody asked for.
    if (value === undefined || value === null) invalid(field, value);
    writer.uint32(tag);
    writeDelimited(writer, wire, value, depth + 1);
  };
}

const memberWriters: MemberCompilers<MemberWriter> = {
  scalar: memberScalar,
  message: memberMessage,
};

/** Throws unless `selected` (neither undefined nor null) is a oneof value with none or one of its cases. */
function oneofCheck(oneof: DescOneof): (selected: unknown) => void {
  const cases = new Set<unknown>(oneof.fields.map((field) => field.localName));
  const name = `${oneof.parent.typeName}.${oneof.name}`;
  return (selected) => {
    if (typeof selected !== "object" || Array.isArray(selected)) {
      throw new WireEncodeError(
        `cannot encode ${name}: invalid value (${Array.isArray(selected) ? "array" : typeof selected})`,
      );
    }
    const selectedCase = (selected as OneofValue).case;
    if (selectedCase === undefined || selectedCase === null || cases.has(selectedCase)) return;
    // protobuf-es's create() drops such a oneof silently: a misspelt case would lose the value.
    throw new WireEncodeError(`cannot encode ${name}: its case names none of its fields`);
  };
}

function oneofMember(field: DescField, oneof: DescOneof, wireOf: WireOf): FieldEncoder {
  const group = oneof.localName;
  const name = field.localName;
  const write = compileMember(field, wireOf, memberWriters);
  if (field !== oneof.fields[0]) {
    return (writer, message, depth) => {
      const selected = message[group] as OneofValue | undefined | null;
      if (selected !== undefined && selected !== null && selected.case === name) {
        write(writer, selected.value, depth);
      }
    };
  }
  // The first member also checks the oneof, only when its own case is not the one selected: a valid oneof costs
  // no more than a comparison.
  const check = oneofCheck(oneof);
  return (writer, message, depth) => {
    const selected = message[group] as OneofValue | undefined | null;
    if (selected === undefined || selected === null) return;
    if (selected.case === name) write(writer, selected.value, depth);
    else check(selected);
  };
}

/** The encoder of `field` (of a type `fallbackReason` accepts), a oneof member or not. */
export function fieldEncoder(field: DescField, wireOf: WireOf): FieldEncoder {
  if (field.oneof !== undefined) return oneofMember(field, field.oneof, wireOf);
  return compileField(field, wireOf, {
    scalar: singularScalar,
    message: singularMessage,
    repeatedScalar,
    repeatedMessage,
  });
}
