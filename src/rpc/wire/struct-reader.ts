/**
 * Session data out of `google.protobuf.Struct` bytes, straight into the `JsonObject` protobuf-es shows a Struct
 * field as: no Struct, Value or ListValue message is built on the way (protobuf-es builds them, which made decoding
 * a SaveSession request 4 to 10 times slower). The values are protobuf-es's: a Value with no kind is `null`; NaN,
 * ±Infinity and -0 come back as they are; a Struct or ListValue given twice merges, the last kind of a Value wins.
 *
 * Deliberate differences: a `"__proto__"` key is read as an ordinary own key, as JSON.parse makes it (protobuf-es
 * assigns it, which replaces the object's prototype); a leading U+FEFF in a string is kept (see `utf8-text.ts`);
 * a field that runs past its message, or a known field with the wrong wire type, is an error.
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import * as format from "./struct-format.js";
import { checkReadDepth, delimitedEnd, ended, skipField, wireReader } from "./struct-wire.js";
import { asDecodeError } from "./wire-errors.js";

/** Sets `object[key]`, as an own property even for "__proto__" (which an assignment would take as the prototype). */
function setKey(object: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/**
 * The Struct whose fields run from the reader's position to `end`, at message depth `depth`, merged into `target`
 * when the field came before.
 */
export function readStruct(
  reader: BinaryReader,
  end: number,
  depth: number,
  target?: JsonObject,
): JsonObject {
  checkReadDepth(depth, format.STRUCT);
  const object: JsonObject = target ?? {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag !== format.FIELD_1_LEN) {
      skipField(reader, tag, 1, format.STRUCT, depth);
      continue;
    }
    const entryEnd = delimitedEnd(reader, end);
    // A missing key is "", a missing value a Value with no kind (null): map entries' defaults.
    let key = "";
    let value: JsonValue = null;
    while (reader.pos < entryEnd) {
      const entryTag = reader.uint32();
      if (entryTag === format.FIELD_1_LEN) key = reader.string(true);
      else if (entryTag === format.FIELD_2_LEN)
        value = readValue(reader, delimitedEnd(reader, entryEnd), depth + 1);
      else skipField(reader, entryTag, 2, `${format.STRUCT}.fields entry`, depth + 1);
    }
    ended(reader, entryEnd);
    setKey(object, key, value);
  }
  ended(reader, end);
  return object;
}

function readList(reader: BinaryReader, end: number, depth: number, target?: JsonValue[]): JsonValue[] {
  checkReadDepth(depth, format.LIST);
  const list: JsonValue[] = target ?? [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === format.FIELD_1_LEN) list.push(readValue(reader, delimitedEnd(reader, end), depth + 1));
    else skipField(reader, tag, 1, format.LIST, depth);
  }
  ended(reader, end);
  return list;
}

function readValue(reader: BinaryReader, end: number, depth: number): JsonValue {
  checkReadDepth(depth, format.VALUE);
  // The last kind on the wire wins (a oneof); none at all reads as null. A second struct or list value merges into
  // the one before it, as protobuf merges a message field given twice; any other kind starts afresh.
  let value: JsonValue = null;
  let merging: typeof format.STRUCT_VALUE | typeof format.LIST_VALUE | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === format.STRUCT_VALUE) {
      const into = merging === format.STRUCT_VALUE ? (value as JsonObject) : undefined;
      value = readStruct(reader, delimitedEnd(reader, end), depth + 1, into);
    } else if (tag === format.LIST_VALUE) {
      const into = merging === format.LIST_VALUE ? (value as JsonValue[]) : undefined;
      value = readList(reader, delimitedEnd(reader, end), depth + 1, into);
    } else if (tag === format.NUMBER_VALUE) {
      value = reader.double();
    } else if (tag === format.STRING_VALUE) {
      value = reader.string(true);
    } else if (tag === format.BOOL_VALUE) {
      value = reader.bool();
    } else if (tag === format.NULL_VALUE) {
      reader.uint32();
      value = null;
    } else {
      skipField(reader, tag, 6, format.VALUE, depth);
      continue;
    }
    merging = tag === format.STRUCT_VALUE || tag === format.LIST_VALUE ? tag : undefined;
  }
  ended(reader, end);
  return value;
}

/**
 * The session data in a Struct's fields (`bytes`, without tag or length) at message depth `depth`.
 *
 * @throws WireDecodeError for bytes that are not a Struct's (a WireDepthError for one nested too deep).
 */
export function decodeStruct(bytes: Uint8Array, depth: number): JsonObject {
  try {
    return readStruct(wireReader(bytes), bytes.length, depth);
  } catch (error) {
    throw asDecodeError(error);
  }
}
