import type { DescField } from "@bufbuild/protobuf";
import {
  compileField,
  compileMember,
  type FieldRecord,
  fieldName,
  type MemberCompilers,
  tagOf,
  type WireOf,
} from "./field-shape.js";
import { type MessageWire, readDelimited } from "./message-wire.js";
import type { ScalarCodec } from "./scalar-codecs.js";
import { type WireReader, WireType } from "./wire-reader.js";

/**
 * One closure per field that reads one occurrence of it into a message being decoded, as protobuf-es would: the
 * last occurrence of a scalar wins, a message field that occurs again is merged into, list items are appended, and
 * packable lists are read packed or not, whichever arrives. A known field arriving with another wire type than its
 * type has is an error (protobuf-es would misread it).
 *
 * A oneof member read sets the oneof to `{ case, value }`: the last member on the wire wins, whichever it is, and a
 * message member occurring again under the same case is merged into (the case selected is the field's presence).
 */

/** Reads the value of `field` whose tag was just read, into `message` (at `depth`). */
export type FieldDecoder = (reader: WireReader, message: FieldRecord, tag: number, depth: number) => void;

function singularScalar(field: DescField, codec: ScalarCodec): FieldDecoder {
  const name = field.localName;
  const expected = tagOf(field, codec.wireType);
  const read = codec.read;
  return (reader, message, tag) => {
    if (tag !== expected) reader.wrongWireType(tag, fieldName(field));
    message[name] = read(reader);
  };
}

function singularMessage(field: DescField, wire: MessageWire): FieldDecoder {
  const name = field.localName;
  const expected = tagOf(field, WireType.LEN);
  return (reader, message, tag, depth) => {
    if (tag !== expected) reader.wrongWireType(tag, fieldName(field));
    message[name] = readDelimited(reader, wire, depth + 1, message[name]);
  };
}

function repeatedScalar(field: DescField, codec: ScalarCodec): FieldDecoder {
  const name = field.localName;
  const single = tagOf(field, codec.wireType);
  // Every scalar but strings and bytes may arrive packed, whatever the field's declared encoding.
  const packed = codec.wireType === WireType.LEN ? -1 : tagOf(field, WireType.LEN);
  const read = codec.read;
  return (reader, message, tag) => {
    const list = message[name] as unknown[];
    if (tag === single) {
      list.push(read(reader));
    } else if (tag === packed) {
      const end = reader.delimitedEnd();
      const outer = reader.limit;
      reader.limit = end;
      while (reader.pos < end) list.push(read(reader));
      reader.limit = outer;
    } else {
      reader.wrongWireType(tag, fieldName(field));
    }
  };
}

function repeatedMessage(field: DescField, wire: MessageWire): FieldDecoder {
  const name = field.localName;
  const expected = tagOf(field, WireType.LEN);
  return (reader, message, tag, depth) => {
    if (tag !== expected) reader.wrongWireType(tag, fieldName(field));
    (message[name] as unknown[]).push(readDelimited(reader, wire, depth + 1, undefined));
  };
}

/** A oneof as decoded messages hold it: every message starts with `{ case: undefined }`. */
interface OneofValue {
  readonly case: string | undefined;
  readonly value?: unknown;
}

/** The member decoders of the oneof `group` (its local name). */
function memberDecoders(group: string): MemberCompilers<FieldDecoder> {
  return {
    scalar(field, codec) {
      const name = field.localName;
      const expected = tagOf(field, codec.wireType);
      const read = codec.read;
      return (reader, message, tag) => {
        if (tag !== expected) reader.wrongWireType(tag, fieldName(field));
        message[group] = { case: name, value: read(reader) };
      };
    },
    message(field, wire) {
      const name = field.localName;
      const expected = tagOf(field, WireType.LEN);
      return (reader, message, tag, depth) => {
        if (tag !== expected) reader.wrongWireType(tag, fieldName(field));
        const held = message[group] as OneofValue;
        // The same case again merges into its message, as a singular message field that occurs twice; a value of
        // another case is dropped.
        const target = held.case === name ? held.value : undefined;
        message[group] = { case: name, value: readDelimited(reader, wire, depth + 1, target) };
      };
    },
  };
}

/**
 * The decoder of `field` (of a type `fallbackReason` accepts), a oneof member or not. A repeated scalar is read
 * packed or not, whichever arrives: how it is written does not matter here.
 */
export function fieldDecoder(field: DescField, wireOf: WireOf): FieldDecoder {
  if (field.oneof !== undefined) return compileMember(field, wireOf, memberDecoders(field.oneof.localName));
  return compileField(field, wireOf, {
    scalar: singularScalar,
    message: singularMessage,
    repeatedScalar,
    repeatedMessage,
  });
}
