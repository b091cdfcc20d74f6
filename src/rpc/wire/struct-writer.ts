/**
 * Session data given as an object (a request's, or a response's read back from an object) to
 * `google.protobuf.Struct` bytes, straight from the object: no Struct or Value message is built on the way, as
 * protobuf-es builds them.
 */
import type { JsonObject } from "@bufbuild/protobuf";
import { EncodedStruct } from "./encoded-struct.js";
import * as format from "./struct-format.js";
import { MAX_MESSAGE_DEPTH, WireEncodeError } from "./wire-errors.js";
import { encodedBy, type WireWriter } from "./wire-writer.js";

/** Throws when a message being written would be deeper than any decoder accepts. */
export function checkWriteDepth(depth: number, typeName: string): void {
  if (depth > MAX_MESSAGE_DEPTH) {
    throw new WireEncodeError(`cannot encode ${typeName}: nested deeper than ${MAX_MESSAGE_DEPTH} messages`);
  }
}

/**
 * An object's Struct fields, as protobuf-es writes them: entries in `Object.keys` order (a `"__proto__"` key too,
 * which protobuf-es drops), `null` as `null_value`, and anything that is not JSON (`undefined`, a function, a
 * bigint) as a Value with no kind, which reads back as null. NaN and ±Infinity are written as they are: the server
 * refuses them, as JSON cannot hold them.
 */
export function writeStruct(writer: WireWriter, object: JsonObject, depth: number): void {
  checkWriteDepth(depth, format.STRUCT);
  for (const key of Object.keys(object)) {
    const entry = writer.forkField(format.FIELD_1_LEN);
    writer.byte(format.FIELD_1_LEN);
    writer.string(key);
    const value = writer.forkField(format.FIELD_2_LEN);
    writeValue(writer, object[key], depth + 1);
    writer.join(value);
    writer.join(entry);
  }
}

function writeValue(writer: WireWriter, value: unknown, depth: number): void {
  checkWriteDepth(depth, format.VALUE);
  if (typeof value === "number") {
    writer.byte(format.NUMBER_VALUE);
    writer.double(value);
  } else if (typeof value === "string") {
    writer.byte(format.STRING_VALUE);
    writer.string(value);
  } else if (typeof value === "boolean" || value === null) {
    writer.byte(value === null ? format.NULL_VALUE : format.BOOL_VALUE);
    writer.byte(value === true ? 1 : 0);
  } else if (Array.isArray(value)) {
    const start = writer.forkField(format.LIST_VALUE);
    checkWriteDepth(depth + 1, format.LIST);
    for (const element of value) {
      const at = writer.forkField(format.FIELD_1_LEN);
      writeValue(writer, element, depth + 2);
      writer.join(at);
    }
    writer.join(start);
  } else if (typeof value === "object") {
    const start = writer.forkField(format.STRUCT_VALUE);
    writeStruct(writer, value as JsonObject, depth + 1);
    writer.join(start);
  }
}

function checkObject(value: unknown): asserts value is JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new WireEncodeError(`cannot encode ${format.STRUCT}: not a JSON object`);
  }
}

/**
 * A Struct field (tag `tag`, at message depth `depth`) holding session data: an `EncodedStruct` as it is, an object
 * written straight into the writer (see {@link writeStruct}).
 *
 * @throws WireEncodeError as {@link structBytes}.
 */
export function writeStructField(writer: WireWriter, tag: number, value: unknown, depth: number): void {
  if (value instanceof EncodedStruct) {
    writer.byte(tag);
    writer.bytes(value.bytes);
    return;
  }
  checkObject(value);
  const start = writer.forkField(tag);
  writeStruct(writer, value, depth);
  writer.join(start);
}

/**
 * The Struct fields (without tag or length) of session data given as an object, at message depth `depth` (see
 * {@link writeStruct}).
 *
 * @throws WireEncodeError for a value that is not a JSON object, or data nested deeper than MAX_MESSAGE_DEPTH
 *   (cycles included).
 */
export function structBytes(value: unknown, depth: number): Buffer {
  checkObject(value);
  return encodedBy((writer) => writeStruct(writer, value, depth));
}
