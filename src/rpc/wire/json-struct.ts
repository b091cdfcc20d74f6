import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { EncodedStruct } from "./encoded-struct.js";
import { checkReadDepth, checkWriteDepth, type MessageWire, readDelimited } from "./message-wire.js";
import { WireEncodeError } from "./wire-errors.js";
import { type WireReader, WireType } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * `google.protobuf.Struct`, `Value` and `ListValue` straight between JSON and bytes. protobuf-es shows a Struct
 * field as a `JsonObject` but builds Struct and Value messages to encode or decode one; going direct is the main
 * saving of the compiled codec. Bytes are those of protobuf-es: entries in `Object.keys` order, `null` as
 * `null_value: NULL_VALUE`, and anything that is not JSON (`undefined`, a function, a bigint) as a Value with no
 * kind. Reading, a Value with no kind is `null`; NaN, ±Infinity and -0 come back as they are.
 *
 * One deliberate difference: a `"__proto__"` key is written and read as an ordinary key, as JSON.parse makes it.
 * protobuf-es drops it on writing, and on reading assigns it, which replaces the object's prototype.
 */

export const STRUCT = "google.protobuf.Struct";
export const VALUE = "google.protobuf.Value";
export const LIST = "google.protobuf.ListValue";

// Tags: field number << 3 | wire type. Exported for json-text-struct.ts, which writes the same bytes.
export const FIELD_1_LEN = (1 << 3) | WireType.LEN; // Struct.fields entry, entry key, ListValue.values
export const FIELD_2_LEN = (2 << 3) | WireType.LEN; // entry value
export const NULL_VALUE = (1 << 3) | WireType.VARINT;
export const NUMBER_VALUE = (2 << 3) | WireType.I64;
export const STRING_VALUE = (3 << 3) | WireType.LEN;
export const BOOL_VALUE = (4 << 3) | WireType.VARINT;
export const STRUCT_VALUE = (5 << 3) | WireType.LEN;
export const LIST_VALUE = (6 << 3) | WireType.LEN;

// Which kind a Value read so far holds: a later occurrence of the same message kind merges into it, as protobuf
// merges a repeated message field.
const OTHER_KIND = 0;
const STRUCT_KIND = 1;
const LIST_KIND = 2;

function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** One byte: a one-byte tag, or a bool's or null's value. */
export function writeByte(writer: WireWriter, byte: number): void {
  writer.ensure(1);
  writer.buf[writer.pos++] = byte;
}

function writeStruct(writer: WireWriter, object: JsonObject, depth: number): void {
  checkWriteDepth(depth, STRUCT);
  for (const key of Object.keys(object)) {
    writeByte(writer, FIELD_1_LEN);
    const entry = writer.fork();
    writeByte(writer, FIELD_1_LEN);
    writer.string(key);
    writeByte(writer, FIELD_2_LEN);
    const value = writer.fork();
    writeValue(writer, object[key], depth + 1);
    writer.join(value);
    writer.join(entry);
  }
}

function writeList(writer: WireWriter, list: readonly unknown[], depth: number): void {
  checkWriteDepth(depth, LIST);
  for (let i = 0; i < list.length; i++) {
    writeByte(writer, FIELD_1_LEN);
    const start = writer.fork();
    writeValue(writer, list[i], depth + 1);
    writer.join(start);
  }
}

function writeValue(writer: WireWriter, value: unknown, depth: number): void {
  checkWriteDepth(depth, VALUE);
  switch (typeof value) {
    case "number":
      writeByte(writer, NUMBER_VALUE);
      writer.double(value);
      return;
    case "string":
      writeByte(writer, STRING_VALUE);
      writer.string(value);
      return;
    case "boolean":
      writeByte(writer, BOOL_VALUE);
      writeByte(writer, value ? 1 : 0);
      return;
    case "object": {
      if (value === null) {
        writeByte(writer, NULL_VALUE);
        writeByte(writer, 0);
      } else if (Array.isArray(value)) {
        writeByte(writer, LIST_VALUE);
        const start = writer.fork();
        writeList(writer, value, depth + 1);
        writer.join(start);
      } else {
        writeByte(writer, STRUCT_VALUE);
        const start = writer.fork();
        writeStruct(writer, value as JsonObject, depth + 1);
        writer.join(start);
      }
      return;
    }
    default:
    // Not JSON: a Value with no kind, as protobuf-es writes it (and reads back as null).
  }
}

/** Sets `object[key]`, as an own property even for "__proto__" (which an assignment would take as the prototype). */
function setKey(object: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

function readStruct(reader: WireReader, depth: number, target: JsonObject | undefined): JsonObject {
  checkReadDepth(depth, STRUCT);
  const object: JsonObject = target ?? {};
  while (reader.pos < reader.limit) {
    const tag = reader.tag();
    if (tag !== FIELD_1_LEN) {
      if (tag >>> 3 === 1) reader.wrongWireType(tag, `${STRUCT}.fields`);
      reader.skip(tag, depth);
      continue;
    }
    const end = reader.delimitedEnd();
    const outer = reader.limit;
    reader.limit = end;
    // A missing key is "", a missing value a Value with no kind (null): map entries' defaults.
    let key = "";
    let value: JsonValue = null;
    while (reader.pos < end) {
      const entryTag = reader.tag();
      if (entryTag === FIELD_1_LEN) {
        key = reader.string(true);
      } else if (entryTag === FIELD_2_LEN) {
        value = readDelimited(reader, valueWire, depth + 1, undefined) as JsonValue;
      } else if (entryTag >>> 3 === 1 || entryTag >>> 3 === 2) {
        reader.wrongWireType(entryTag, `${STRUCT}.fields entry`);
      } else {
        reader.skip(entryTag, depth + 1);
      }
    }
    reader.limit = outer;
    setKey(object, key, value);
  }
  return object;
}

function readList(reader: WireReader, depth: number, target: JsonValue[] | undefined): JsonValue[] {
  checkReadDepth(depth, LIST);
  const list: JsonValue[] = target ?? [];
  while (reader.pos < reader.limit) {
    const tag = reader.tag();
    if (tag === FIELD_1_LEN) {
      list.push(readDelimited(reader, valueWire, depth + 1, undefined) as JsonValue);
    } else {
      if (tag >>> 3 === 1) reader.wrongWireType(tag, `${LIST}.values`);
      reader.skip(tag, depth);
    }
  }
  return list;
}

function readValue(reader: WireReader, depth: number): JsonValue {
  checkReadDepth(depth, VALUE);
  // The last kind on the wire wins (a oneof); none at all reads as null.
  let value: JsonValue = null;
  let kind = OTHER_KIND;
  while (reader.pos < reader.limit) {
    const tag = reader.tag();
    switch (tag) {
      case NULL_VALUE:
        reader.uint32();
        value = null;
        kind = OTHER_KIND;
        break;
      case NUMBER_VALUE:
        value = reader.double();
        kind = OTHER_KIND;
        break;
      case STRING_VALUE:
        value = reader.string(true);
        kind = OTHER_KIND;
        break;
      case BOOL_VALUE:
        value = reader.bool();
        kind = OTHER_KIND;
        break;
      case STRUCT_VALUE:
      case LIST_VALUE: {
        const read = tag === STRUCT_VALUE ? STRUCT_KIND : LIST_KIND;
        const wire = read === STRUCT_KIND ? structWire : listWire;
        // A second occurrence of the kind already held merges into it; any other kind starts afresh.
        value = readDelimited(reader, wire, depth + 1, kind === read ? value : undefined) as JsonValue;
        kind = read;
        break;
      }
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 6) reader.wrongWireType(tag, `${VALUE} kind`);
        reader.skip(tag, depth);
    }
  }
  return value;
}

/**
 * A `google.protobuf.Struct` field's codec, the field's value being a `JsonObject` (protobuf-es's representation
 * of Struct in any field but Value's own), or an {@link EncodedStruct} to write as it is.
 */
export const structWire: MessageWire = {
  typeName: STRUCT,
  write(writer, value, depth) {
    if (value instanceof EncodedStruct) {
      writer.raw(value.bytes);
      return;
    }
    if (!isJsonObject(value)) throw new WireEncodeError(`cannot encode ${STRUCT}: not a JSON object`);
    writeStruct(writer, value, depth);
  },
  read: (reader, depth, target) => readStruct(reader, depth, target as JsonObject | undefined),
};

const valueWire: MessageWire = {
  typeName: VALUE,
  write: writeValue,
  read: (reader, depth) => readValue(reader, depth),
};

const listWire: MessageWire = {
  typeName: LIST,
  write: (writer, value, depth) => writeList(writer, value as unknown[], depth),
  read: (reader, depth, target) => readList(reader, depth, target as JsonValue[] | undefined),
};

/** Whether a field of message type `typeName`, declared in `parentTypeName`, holds a `JsonObject`. */
export function isJsonStructField(typeName: string, parentTypeName: string): boolean {
  // As protobuf-es: Struct is JSON in every field except Value.struct_value, where it stays a message.
  return typeName === STRUCT && parentTypeName !== VALUE;
}
