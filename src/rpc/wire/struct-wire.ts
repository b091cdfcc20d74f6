/**
 * The wire format of `google.protobuf.Struct`, `Value` and `ListValue`, which carry session data: their tags; and
 * what every hand-written reader shares (the Struct reader, the Struct size counter, the readers of the messages
 * around sessions): the reader, bounded reading, one-byte tags taken from descriptors. protobuf-es's `BinaryReader`
 * checks reads against the end of the whole buffer only; here every message is read up to its own end, so that a
 * field cannot run past the message that holds it.
 */
import type { DescField } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { readUtf8 } from "./utf8-text.js";
import { MAX_MESSAGE_DEPTH, WireDecodeError, WireDepthError } from "./wire-errors.js";

/**
 * protobuf-es's reader, its strings decoded where they lie in the buffer (see `utf8-text.ts`): a Struct's keys and
 * strings are many and short, and the view of each that `BinaryReader#string` makes cost a quarter of the decoding.
 */
class WireReader extends BinaryReader {
  constructor(private readonly buffer: Buffer) {
    super(buffer);
  }

  override string(strict = false): string {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    this.assertBounds();
    return readUtf8(this.buffer, start, this.pos, strict);
  }
}

/** The bytes as a Buffer: the same memory, not a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A reader of received bytes (see {@link WireReader}). */
export function wireReader(bytes: Uint8Array): BinaryReader {
  return new WireReader(asBuffer(bytes));
}

function oneByteTag(field: DescField, wireType: WireType): number {
  // The hand-written paths read and write tags as one byte: fields numbered 1 to 15.
  if (field.number > 15)
    throw new Error(`${field.parent.typeName}.${field.name}: a tag of more than one byte`);
  return (field.number << 3) | wireType;
}

/** The tag of a length-delimited field (a string, a message), taken from its descriptor: one byte. */
export const lengthTag = (field: DescField): number => oneByteTag(field, WireType.LengthDelimited);

/** The tag of a varint field (an int32, an enum), taken from its descriptor: one byte. */
export const varintTag = (field: DescField): number => oneByteTag(field, WireType.Varint);

/** Throws when a message being read is deeper than {@link MAX_MESSAGE_DEPTH}. */
export function checkReadDepth(depth: number, typeName: string): void {
  if (depth > MAX_MESSAGE_DEPTH) {
    throw new WireDepthError(`${typeName} nested deeper than ${MAX_MESSAGE_DEPTH} messages`);
  }
}

/** Reads the length of a length-delimited value and returns where it ends, which must be within `end`. */
export function delimitedEnd(reader: BinaryReader, end: number): number {
  const length = reader.uint32();
  if (length > end - reader.pos) {
    throw new WireDecodeError(`length ${length} at byte ${reader.pos} runs past the end of its message`);
  }
  return reader.pos + length;
}

/** Throws unless the message read up to `end` ended there: its last field did not run past it. */
export function ended(reader: BinaryReader, end: number): void {
  if (reader.pos !== end)
    throw new WireDecodeError(`a field runs past the end of its message at byte ${end}`);
}

/**
 * Skips a field that is not one of the message's, or throws for one of its fields that came with the wrong wire
 * type: `known` is the highest field number the message has (its fields are numbered from 1).
 */
export function skipField(
  reader: BinaryReader,
  tag: number,
  known: number,
  typeName: string,
  depth: number,
): void {
  if (tag >>> 3 <= known) {
    throw new WireDecodeError(`field ${tag >>> 3} of ${typeName} arrived with wire type ${tag & 7}`);
  }
  // Groups count as messages towards the depth limit, as protobuf-es counts them.
  reader.skip(tag & 7, tag >>> 3, MAX_MESSAGE_DEPTH - depth);
}
