import { create, toBinary } from "@bufbuild/protobuf";
import {
  CreateSessionRequestSchema,
  SaveSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import type { JsonObject } from "../../src/store/session.js";
import { varint } from "../rpc/support/wire-bytes.js";

/**
 * Wide session data: many small members, the shape that costs the most to decode per byte (the issue's ~4 MB
 * SaveSession of 300,000 fields), as a JSON object and as the raw bytes of a `google.protobuf.Struct` written by
 * hand, so that a test can also send bytes no encoder would write (a key given again, invalid UTF-8).
 */

/** The key of member `i`: base 36, so that 300,000 keys take at most 4 bytes. */
export function wideKey(i: number): string {
  return i.toString(36);
}

/** `{ "0": "x", "1": "x", ... }` with `count` members. */
export function wideJson(count: number): JsonObject {
  const object: JsonObject = {};
  for (let i = 0; i < count; i++) object[wideKey(i)] = "x";
  return object;
}

/** A length-delimited field: tag (wire type 2), length, content. */
function delimited(field: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(content.length)]), content]);
}

/**
 * One Struct entry (Struct.fields = 1: key = 1, value = 2) whose value is the string `value` (Value.string_value =
 * 3). The key is bytes, so that a test can give invalid UTF-8.
 */
export function structEntry(key: Buffer, value: string): Buffer {
  const valueMessage = delimited(3, Buffer.from(value, "utf8"));
  return delimited(1, Buffer.concat([delimited(1, key), delimited(2, valueMessage)]));
}

/** The Struct fields of {@link wideJson}`(count)`, as protobuf-es writes them. */
export function wideStructBytes(count: number): Buffer {
  const entries: Buffer[] = [];
  for (let i = 0; i < count; i++) entries.push(structEntry(Buffer.from(wideKey(i)), "x"));
  return Buffer.concat(entries);
}

/** A Struct entry whose key is not UTF-8: a Struct that holds it cannot be decoded. */
export const UNDECODABLE_ENTRY = structEntry(Buffer.from([0xff, 0xfe]), "x");

/** A CreateSessionRequest for `store` whose data (field 2) is the Struct fields `struct`. */
export function createRequestWith(store: string, struct: Buffer): Buffer {
  return Buffer.concat([
    toBinary(CreateSessionRequestSchema, create(CreateSessionRequestSchema, { store })),
    delimited(2, struct),
  ]);
}

/** A SaveSessionRequest (`store`, `key`, `condition`) whose data (field 3) is the Struct fields `struct`. */
export function saveRequestWith(
  request: { store: string; key: string; condition: number },
  struct: Buffer,
): Buffer {
  return Buffer.concat([
    toBinary(SaveSessionRequestSchema, create(SaveSessionRequestSchema, request)),
    delimited(3, struct),
  ]);
}
