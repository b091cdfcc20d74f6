/**
 * Stored session JSON straight to `google.protobuf.Struct` bytes, without building the object, for the responses
 * that carry sessions (GetSession, BatchGetSessions, RotateSessionKey). The UTF-8 text is read once, front
 * to back, each entry written as it is read: entries in text order (which is Object.keys order for any text
 * JSON.stringify writes), strings as UTF-8 (lone surrogates as U+FFFD), numbers as doubles; so the bytes are
 * protobuf-es's for `JSON.parse(text)`. Strings without escapes, nearly all of them, are copied as they are rather
 * than decoded and re-encoded: most of the saving. Short ASCII ones, the common case, are copied in the same loop
 * that finds their end; the rare string with escapes is read by JSON.parse itself.
 *
 * The text is read by JSON's strict grammar (RFC 8259, as JSON.parse reads it), so that exactly the texts
 * JSON.parse rejects are rejected. Bytes are read as `Buffer#toString("utf8")` decodes them: invalid UTF-8
 * inside a string becomes U+FFFD; anywhere else it is a syntax error either way (no JSON token outside a
 * string holds a byte >= 0x80).
 *
 * Nesting too deep for a message is left to the object path: the text is then parsed and written by `writeStruct`,
 * which throws where it always does (or JSON.parse first, if the text is invalid further on). Nesting deeper than
 * the caller's own limit on levels of objects and lists is thrown as it is met.
 */
import { isUtf8 } from "node:buffer";
import type { JsonObject } from "@bufbuild/protobuf";
import * as format from "./struct-format.js";
import { asBuffer } from "./struct-wire.js";
import { checkWriteDepth, writeStruct } from "./struct-writer.js";
import { WireEncodeError } from "./wire-errors.js";
import type { WireWriter } from "./wire-writer.js";

/** Thrown when the bytes are not JSON text whose top-level value is an object. Never quotes the input. */
export class JsonTextError extends Error {
  override readonly name = "JsonTextError";
}

/**
 * Thrown when the text nests objects and arrays deeper than the caller's limit, counted in the text as written
 * (see {@link writeJsonTextAsStruct}). Never quotes the input.
 */
export class JsonTextDepthError extends Error {
  override readonly name = "JsonTextDepthError";

  constructor(readonly limit: number) {
    super(`JSON text nests objects and arrays deeper than ${limit} levels`);
  }
}

// Bytes of JSON's syntax.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// The literals' bytes.
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

/** 1 for the bytes copied as they are without a second look: ASCII from space up but quote and backslash. */
const ORDINARY = new Uint8Array(256);
for (let c = SPACE; c < 0x80; c++) ORDINARY[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** What {@link byteAt} gives past the end of the text: matches no byte. */
const END = -1;

/** Integers of up to this many characters (sign included) are below 2^53: summing their digits is exact. */
const EXACT_INTEGER_CHARS = 15;

/** Strings up to this many bytes (a one-byte length) are copied as they are scanned, when they can be. */
const SHORT_STRING_BYTES = 127;

/** Strings up to this many bytes are copied by a JavaScript loop, which beats a native call's overhead. */
const LOOP_COPY_BYTES = 32;

/** The byte at `p`, or END past the end. */
function byteAt(json: Buffer, p: number): number {
  return p < json.length ? (json[p] as number) : END;
}

/** Where the JSON whitespace (space, tab, LF, CR only: not U+FEFF or other Unicode spaces) from `p` ends. */
function skipWhitespace(json: Buffer, p: number): number {
  const end = json.length;
  let i = p;
  while (i < end) {
    const c = json[i] as number;
    if (c > SPACE || (c !== SPACE && c !== LF && c !== CR && c !== TAB)) break;
    i++;
  }
  return i;
}

/** Where the run of ASCII digits from `p` ends. */
function skipDigits(json: Buffer, p: number): number {
  const end = json.length;
  let i = p;
  while (i < end) {
    const c = json[i] as number;
    if (c < DIGIT_0 || c > DIGIT_9) break;
    i++;
  }
  return i;
}

/** The value of the integer in `json[start, end)` (an optional minus, then digits): exact below 2^53. */
function integerValue(json: Buffer, start: number, end: number): number {
  const negative = json[start] === MINUS;
  let value = 0;
  for (let i = negative ? start + 1 : start; i < end; i++)
    value = value * 10 + ((json[i] as number) - DIGIT_0);
  // -0 for "-0", as JSON.parse gives it.
  return negative ? -value : value;
}

function syntaxError(json: Buffer, p: number): never {
  throw new JsonTextError(
    p < json.length
      ? `invalid JSON text: unexpected byte at offset ${p}`
      : "invalid JSON text: unexpected end",
  );
}

/** `json[start, end)` as it is, at `writer.buf[at]` (which has room for it). */
function copyBytes(writer: WireWriter, at: number, json: Buffer, start: number, end: number): void {
  const buf = writer.buf;
  if (end - start <= LOOP_COPY_BYTES) {
    let p = at;
    for (let i = start; i < end; i++) buf[p++] = json[i] as number;
  } else {
    buf.set(json.subarray(start, end), at);
  }
}

/** `json[start, end)` as it is, after its length: a length-delimited string that needs no re-encoding. */
function writeDelimitedRaw(writer: WireWriter, json: Buffer, start: number, end: number): void {
  const length = end - start;
  if (length >= 0x80) writer.uint32(length);
  writer.ensure(1 + length);
  if (length < 0x80) writer.buf[writer.pos++] = length;
  copyBytes(writer, writer.pos, json, start, end);
  writer.pos += length;
}

/** Reads and writes a whole JSON text whose top-level value is an object, as Struct fields. */
class Transcoder {
  /** The next byte of the text to read. */
  private pos = 0;

  constructor(
    private readonly json: Buffer,
    private readonly writer: WireWriter,
    /** The levels of objects and arrays allowed, the top-level object being 1. */
    private readonly maxLevels: number,
    /** The message depth of the deepest Struct or ListValue allowed: that of the last allowed level. */
    private readonly deepestContainer: number,
  ) {}

  /** The whole text: whitespace, an object, whitespace, nothing else. */
  document(depth: number): void {
    const json = this.json;
    const start = skipWhitespace(json, 0);
    if (byteAt(json, start) !== OPEN_BRACE) {
      // Either not JSON or JSON.parse's value is not an object: no need to tell which.
      throw new JsonTextError(
        start < json.length ? "JSON text is not an object" : "invalid JSON text: unexpected end",
      );
    }
    this.pos = start + 1;
    this.object(depth);
    const end = skipWhitespace(json, this.pos);
    if (end !== json.length) syntaxError(json, end);
  }

  /** An object's members from after its `{` to after its `}`, as a Struct's entries (as writeStruct does). */
  private object(depth: number): void {
    if (depth > this.deepestContainer) throw new JsonTextDepthError(this.maxLevels);
    checkWriteDepth(depth, format.STRUCT);
    const json = this.json;
    const writer = this.writer;
    for (let p = this.first(CLOSE_BRACE); p !== END; p = this.next(CLOSE_BRACE)) {
      if (byteAt(json, p) !== QUOTE) syntaxError(json, p);
      const entry = writer.forkField(format.FIELD_1_LEN);
      this.pos = p;
      this.string(format.FIELD_1_LEN);
      const colon = skipWhitespace(json, this.pos);
      if (byteAt(json, colon) !== COLON) syntaxError(json, colon);
      const value = writer.forkField(format.FIELD_2_LEN);
      this.pos = skipWhitespace(json, colon + 1);
      this.value(depth + 1);
      writer.join(value);
      writer.join(entry);
    }
  }

  /** An array's elements from after its `[` to after its `]`, as a ListValue's values (writeList). */
  private list(depth: number): void {
    if (depth > this.deepestContainer) throw new JsonTextDepthError(this.maxLevels);
    checkWriteDepth(depth, format.LIST);
    const writer = this.writer;
    for (let p = this.first(CLOSE_BRACKET); p !== END; p = this.next(CLOSE_BRACKET)) {
      const value = writer.forkField(format.FIELD_1_LEN);
      this.pos = p;
      this.value(depth + 1);
      writer.join(value);
    }
  }

  /**
   * After an object's `{` or an array's `[` (at `pos`): where its first member or element starts, or END when
   * `close` comes first (then `pos` is after it).
   */
  private first(close: number): number {
    const p = skipWhitespace(this.json, this.pos);
    if (byteAt(this.json, p) !== close) return p;
    this.pos = p + 1;
    return END;
  }

  /**
   * After a member or element (at `pos`): where the next one starts, after a comma, or END at `close` (then
   * `pos` is after it).
   */
  private next(close: number): number {
    const json = this.json;
    const p = skipWhitespace(json, this.pos);
    const c = byteAt(json, p);
    if (c === close) {
      this.pos = p + 1;
      return END;
    }
    if (c !== COMMA) syntaxError(json, p);
    return skipWhitespace(json, p + 1);
  }

  /** The value starting at `pos` (not whitespace), as a Value's fields (writeValue). */
  private value(depth: number): void {
    checkWriteDepth(depth, format.VALUE);
    const writer = this.writer;
    switch (byteAt(this.json, this.pos)) {
      case QUOTE:
        this.string(format.STRING_VALUE);
        return;
      case OPEN_BRACE: {
        const start = writer.forkField(format.STRUCT_VALUE);
        this.pos++;
        this.object(depth + 1);
        writer.join(start);
        return;
      }
      case OPEN_BRACKET: {
        const start = writer.forkField(format.LIST_VALUE);
        this.pos++;
        this.list(depth + 1);
        writer.join(start);
        return;
      }
      case LOWER_T:
        this.literal(TRUE);
        writer.byte(format.BOOL_VALUE);
        writer.byte(1);
        return;
      case LOWER_F:
        this.literal(FALSE);
        writer.byte(format.BOOL_VALUE);
        writer.byte(0);
        return;
      case LOWER_N:
        this.literal(NULL);
        writer.byte(format.NULL_VALUE);
        writer.byte(0);
        return;
      default:
        writer.byte(format.NUMBER_VALUE);
        writer.double(this.number());
    }
  }

  /** Steps over `true`, `false` or `null` at `pos`, or throws. */
  private literal(bytes: Buffer): void {
    const json = this.json;
    const p = this.pos;
    for (let i = 0; i < bytes.length; i++) {
      if (byteAt(json, p + i) !== bytes[i]) syntaxError(json, p + i);
    }
    this.pos = p + bytes.length;
  }

  /** The number at `pos`, by JSON's grammar, with the value JSON.parse gives it. */
  private number(): number {
    const json = this.json;
    const start = this.pos;
    let p = start;
    if (byteAt(json, p) === MINUS) p++;
    const first = byteAt(json, p);
    if (first === DIGIT_0) p++;
    else if (first >= DIGIT_1 && first <= DIGIT_9) p = skipDigits(json, p + 1);
    else syntaxError(json, p);
    let integer = true;
    if (byteAt(json, p) === DOT) {
      const digits = p + 1;
      p = skipDigits(json, digits);
      if (p === digits) syntaxError(json, p);
      integer = false;
    }
    const e = byteAt(json, p);
    if (e === LOWER_E || e === UPPER_E) {
      p++;
      const sign = byteAt(json, p);
      if (sign === PLUS || sign === MINUS) p++;
      const digits = p;
      p = skipDigits(json, digits);
      if (p === digits) syntaxError(json, p);
      integer = false;
    }
    this.pos = p;
    if (integer && p - start <= EXACT_INTEGER_CHARS) return integerValue(json, start, p);
    // Number() rounds correctly, as JSON.parse does, and takes all of JSON's number syntax (1e400 is
    // Infinity).
    return Number(json.toString("latin1", start, p));
  }

  /**
   * The string whose opening quote is at `pos`, as a length-delimited UTF-8 string field (a key or a
   * string_value) with tag `tag`, leaving `pos` after its closing quote. Most strings are short and plain
   * ASCII: those are copied while they are scanned, after a one-byte length. Any other is left to {@link
   * otherString}, which writes over that attempt.
   */
  private string(tag: number): void {
    const json = this.json;
    const writer = this.writer;
    const start = this.pos + 1;
    writer.ensure(2 + SHORT_STRING_BYTES);
    const buf = writer.buf;
    buf[writer.pos++] = tag;
    const lengthAt = writer.pos;
    const stop = Math.min(json.length, start + SHORT_STRING_BYTES);
    let p = start;
    let q = lengthAt + 1;
    while (p < stop) {
      const c = json[p] as number;
      if (ORDINARY[c] !== 1) break;
      buf[q++] = c;
      p++;
    }
    if (json[p] === QUOTE) {
      buf[lengthAt] = p - start;
      writer.pos = q;
      this.pos = p + 1;
      return;
    }
    this.otherString(start, p);
  }

  /**
   * The string whose content starts at `start`, `json[start, from)` being ordinary bytes (see ORDINARY):
   * finds its end, then copies it as it is if it can, or else writes it unescaped or re-encoded.
   */
  private otherString(start: number, from: number): void {
    const json = this.json;
    const end = json.length;
    let p = from;
    let escaped = false;
    let ascii = true;
    for (;;) {
      while (p < end && ORDINARY[json[p] as number] === 1) p++;
      if (p >= end) syntaxError(json, end);
      const c = json[p] as number;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        // The escape itself is checked by JSON.parse; here only its second byte (maybe a quote) is skipped.
        escaped = true;
        p += 2;
      } else if (c < SPACE) {
        syntaxError(json, p);
      } else {
        ascii = false;
        p++;
      }
    }
    this.pos = p + 1;
    if (!escaped && (ascii || isUtf8(json.subarray(start, p)))) {
      writeDelimitedRaw(this.writer, json, start, p);
      return;
    }
    // Escapes, or invalid UTF-8 (read as U+FFFD): rare, so JSON.parse reads the string, by the same grammar.
    let text: string;
    try {
      text = JSON.parse(json.toString("utf8", start - 1, p + 1));
    } catch {
      syntaxError(json, start - 1);
    }
    this.writer.string(text);
  }
}

/** `JSON.parse` of the text, which must give an object. */
function parseObject(json: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(json.toString("utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) throw new JsonTextError("invalid JSON text");
    throw error;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new JsonTextError("JSON text is not an object");
  }
  return value as JsonObject;
}

/**
 * Writes the JSON object in `json` (UTF-8 bytes) as the fields of a `google.protobuf.Struct`, without a tag or a
 * length, at the writer's position; `depth` is the Struct's message depth. For any text JSON.stringify writes
 * (indented or not) the bytes are protobuf-es's for `JSON.parse(text)`; for texts with duplicate keys or
 * integer-like keys out of order the entries are those of the text, in its order (a reader keeps the last of
 * duplicate keys, as JSON.parse does). On success the writer is left after the Struct's last byte; after a throw,
 * the caller resets it.
 *
 * @param maxLevels - the most levels of objects and arrays the text may nest, the top-level object being 1.
 *   Counted in the text as written, as it is read: a text whose duplicate keys hide its deepest value from
 *   JSON.parse is refused too (the caller may give the parsed object a second look). Default: no limit but
 *   MAX_MESSAGE_DEPTH.
 * @throws JsonTextError for anything `JSON.parse(json.toString("utf8"))` would reject, or a top-level value
 *   that is not an object.
 * @throws JsonTextDepthError when the text nests deeper than `maxLevels` (possibly before an invalid byte
 *   further on).
 * @throws WireEncodeError when the object nests deeper than MAX_MESSAGE_DEPTH.
 */
export function writeJsonTextAsStruct(
  writer: WireWriter,
  json: Uint8Array,
  depth: number,
  maxLevels = Number.POSITIVE_INFINITY,
): void {
  const text = asBuffer(json);
  const start = writer.pos;
  // Each level of objects or arrays below the top one costs two messages: a Value, and its Struct or ListValue.
  const deepestContainer = depth + 2 * (maxLevels - 1);
  try {
    new Transcoder(text, writer, maxLevels, deepestContainer).document(depth);
  } catch (error) {
    if (!(error instanceof WireEncodeError)) throw error;
    // Too deep: rare, and then the object path decides. The text might still be invalid further on (JSON.parse
    // throws first), or shallower than it looked (a later duplicate key replacing the deep value).
    writer.pos = start;
    writeStruct(writer, parseObject(text), depth);
  }
}
