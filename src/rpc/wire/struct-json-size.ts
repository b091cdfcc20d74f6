/**
 * How many bytes `JSON.stringify` would at least make, in UTF-8, of the `google.protobuf.Struct` in some bytes, as
 * the Struct reader decodes it (struct-reader.ts), found without decoding it: no string, no object, one pass over
 * the bytes. It serves to refuse session data that cannot fit a store's `maxSessionBytes` before paying for its
 * decoding (a 4 MB Struct of 300,000 fields takes hundreds of milliseconds to decode, then to serialize).
 *
 * Wire size and JSON size differ both ways (a number is 9 bytes on the wire and may be 1 in JSON, a control
 * character 1 byte on the wire and 6 in JSON), and a Struct's bytes may hold what its JSON does not: unknown fields,
 * a value replaced by a later one of another kind, and keys given again (the last one wins). So each part is
 * counted for the least its JSON can be, and only for what survives decoding:
 * - an object `{}`, an array `[]`: 2 bytes, plus their members and one comma between two;
 * - a key or a string: 2 quotes and at least its UTF-8 bytes (valid UTF-8, as proto3 strings must be: escaping only
 *   adds bytes, and distinct byte strings are distinct strings);
 * - a member: its key, a colon, its value; a key given several times counts once, with its last value. Keys are
 *   told apart by a 32-bit hash of their bytes: two keys with one hash count as one, which only lowers the bound;
 * - a number: 1 byte ("0"; NaN and ±Infinity are 4, "null"); true, null: 4; false: 5, counted 4; a value with no
 *   kind (null): 4; a value with several kinds: its last one only (merged ones: the last part only).
 *
 * The count may stop early: once the object's distinct top-level keys alone (with their colons, the least value
 * and the commas) pass the caller's bound, no later byte can bring the total down, since a later key can only
 * replace a value, never remove a key. Bytes that do not decode stop the count where they are; what it counted
 * before, it keeps (such a request is refused either way).
 *
 * Never more than `4 × bytes + 2`, so that a Struct of at most a quarter of a limit need not be counted: per
 * member, key and value present, its wire bytes are at least 6 + k + w (entry, key and value tags and lengths, the
 * key's k bytes, the value's w) and its count k + 4 + V (quotes, colon, comma); V is at most 4w + 4 (4 for a value
 * with no kind or a null, a bool; a string's L + 2 against w ≥ 2 + L; a nested object or array by the same bound
 * as this one, against 2 more wire bytes), so the member counts at most 4 times its bytes; a member without a key,
 * a value or both as well (the tightest: an empty entry, 2 bytes, counts `"":null,`, 8). An array element is at
 * least 2 + w bytes and counts V + 1. Fields that are skipped, replaced or merged only add wire bytes.
 */
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import * as format from "./struct-format.js";
import { checkReadDepth, delimitedEnd, wireReader } from "./struct-wire.js";
import { MAX_MESSAGE_DEPTH } from "./wire-errors.js";

/** What the bound may be at most, per byte of the Struct's fields, plus {@link MAX_BYTES_CONSTANT}. */
export const MAX_JSON_BYTES_PER_WIRE_BYTE = 4;

/** See {@link MAX_JSON_BYTES_PER_WIRE_BYTE}: the braces of an empty object. */
export const MAX_BYTES_CONSTANT = 2;

/** The least JSON of a value of each kind (see above). */
const NULL_JSON = 4;
const NUMBER_JSON = 1;
const BOOL_JSON = 4;

// FNV-1a, 32 bits: cheap, and good enough to tell keys apart (a collision only lowers the bound).
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashBytes(bytes: Uint8Array): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash >>> 0;
}

/** Thrown inside the count to stop it early: the top-level keys alone already pass the bound. */
class Exceeded {
  constructor(readonly bytes: number) {}
}

/** The least JSON of one object's members: its distinct keys and the last value of each. */
class ObjectCount {
  /** Per key hash: the least JSON of the member (key, colon, value) as last given. */
  private readonly members = new Map<number, number>();
  /** The least JSON of the distinct keys so far, with their colons and the least value (see {@link keysOnly}). */
  private keyBytes = 0;

  /** Counts a member whose key is `keyLength` UTF-8 bytes hashing to `hash`, its value at least `valueBytes`. */
  member(hash: number, keyLength: number, valueBytes: number): void {
    if (!this.members.has(hash)) this.keyBytes += keyLength + 2 + 1 + NUMBER_JSON;
    this.members.set(hash, keyLength + 2 + 1 + valueBytes);
  }

  /** The least JSON of the object whatever its values turn out to be: braces, keys, colons, least values, commas. */
  keysOnly(): number {
    return 2 + this.keyBytes + Math.max(0, this.members.size - 1);
  }

  /** The least JSON of the object as counted. */
  total(): number {
    let bytes = 2 + Math.max(0, this.members.size - 1);
    for (const member of this.members.values()) bytes += member;
    return bytes;
  }
}

const NO_KEY: Uint8Array = new Uint8Array(0);

/** Skips a field the count does not read (malformed fields are the decoder's to refuse). */
function skip(reader: BinaryReader, tag: number, depth: number): void {
  reader.skip(tag & 7, tag >>> 3, MAX_MESSAGE_DEPTH - depth);
}

/**
 * The Struct fields from the reader's position to `end`, into `object`. With `stopAbove` (the outermost object
 * only), the count stops once the object's keys alone pass it.
 */
function countStruct(
  reader: BinaryReader,
  end: number,
  depth: number,
  object: ObjectCount,
  stopAbove?: number,
): number {
  checkReadDepth(depth, format.STRUCT);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag !== format.FIELD_1_LEN) {
      skip(reader, tag, depth);
      continue;
    }
    const entryEnd = delimitedEnd(reader, end);
    // A missing key is "", a missing value null; the last of each wins.
    let key = NO_KEY;
    let value = NULL_JSON;
    while (reader.pos < entryEnd) {
      const entryTag = reader.uint32();
      if (entryTag === format.FIELD_1_LEN) {
        key = reader.bytes();
      } else if (entryTag === format.FIELD_2_LEN) {
        value = countValue(reader, delimitedEnd(reader, entryEnd), depth + 1);
      } else {
        skip(reader, entryTag, depth + 1);
      }
    }
    object.member(hashBytes(key), key.length, value);
    if (stopAbove !== undefined && object.keysOnly() > stopAbove) throw new Exceeded(object.keysOnly());
  }
  return object.total();
}

function countList(reader: BinaryReader, end: number, depth: number): number {
  checkReadDepth(depth, format.LIST);
  let elements = 0;
  let bytes = 2;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === format.FIELD_1_LEN) {
      bytes += countValue(reader, delimitedEnd(reader, end), depth + 1);
      elements++;
    } else {
      skip(reader, tag, depth);
    }
  }
  return bytes + Math.max(0, elements - 1);
}

function countValue(reader: BinaryReader, end: number, depth: number): number {
  checkReadDepth(depth, format.VALUE);
  // The last kind on the wire wins; none at all is null.
  let bytes = NULL_JSON;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === format.STRING_VALUE) {
      const stringEnd = delimitedEnd(reader, end);
      bytes = stringEnd - reader.pos + 2;
      reader.pos = stringEnd;
    } else if (tag === format.STRUCT_VALUE) {
      bytes = countStruct(reader, delimitedEnd(reader, end), depth + 1, new ObjectCount());
    } else if (tag === format.LIST_VALUE) {
      bytes = countList(reader, delimitedEnd(reader, end), depth + 1);
    } else {
      skip(reader, tag, depth);
      if (tag === format.NUMBER_VALUE) bytes = NUMBER_JSON;
      else if (tag === format.NULL_VALUE) bytes = NULL_JSON;
      else if (tag === format.BOOL_VALUE) bytes = BOOL_JSON;
    }
  }
  return bytes;
}

/**
 * At least how many bytes `JSON.stringify` of the Struct whose fields are `bytes` (at message depth `depth`) makes
 * in UTF-8, or some number above `stopAbove` as soon as that is certain (see the module's comment).
 */
export function structJsonBytesAtLeast(bytes: Buffer, depth: number, stopAbove: number): number {
  const object = new ObjectCount();
  try {
    return countStruct(wireReader(bytes), bytes.length, depth, object, stopAbove);
  } catch (error) {
    if (error instanceof Exceeded) return error.bytes;
    // Bytes that do not decode (whatever the reader threw for them): the keys counted before them stand, the
    // request is refused either way.
    return object.keysOnly();
  }
}
