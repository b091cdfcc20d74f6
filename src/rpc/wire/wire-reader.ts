import { readUtf8 } from "./utf8-text.js";
import { MAX_MESSAGE_DEPTH, WireDecodeError, WireDepthError } from "./wire-errors.js";

/** Protobuf wire types. */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/**
 * A strict protobuf binary reader. Every read is bounded by `limit`, the end of the innermost length-delimited
 * value being read (not merely the end of the buffer), so a field cannot run past the message that holds it; every
 * malformation throws a {@link WireDecodeError} rather than reading garbage.
 */
export class WireReader {
  readonly buf: Buffer;
  /** The next byte to read. */
  pos = 0;
  /** The end of what may be read now: the end of the current message. */
  limit: number;
  /** The high 32 bits of the last {@link varint64} (its low bits are what it returns). */
  hi = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limit = this.buf.length;
  }

  private truncated(): never {
    throw new WireDecodeError(`truncated varint at byte ${this.pos}`);
  }

  /** A varint's low 32 bits, unsigned: a uint32, a length, a tag, an enum or int32 (after `| 0`). */
  uint32(): number {
    const buf = this.buf;
    const limit = this.limit;
    let p = this.pos;
    if (p >= limit) this.truncated();
    let b = buf[p++] as number;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let result = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (p >= limit) {
        this.pos = p;
        this.truncated();
      }
      b = buf[p++] as number;
      // Bits past the 32nd are dropped (`<<` works on 32 bits), as for a negative int32 sent as 10 bytes.
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return result >>> 0;
      }
    }
    throw new WireDecodeError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A 64-bit varint: returns its low 32 bits (unsigned) and leaves the high 32 bits in {@link hi}. */
  varint64(): number {
    const buf = this.buf;
    const limit = this.limit;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (p >= limit) {
        this.pos = p;
        this.truncated();
      }
      const b = buf[p++] as number;
      const bits = b & 0x7f;
      if (shift < 28) {
        lo |= bits << shift;
      } else if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else {
        hi |= bits << (shift - 32);
      }
      if (b < 0x80) {
        this.pos = p;
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    throw new WireDecodeError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A bool: any non-zero varint is true. */
  bool(): boolean {
    const lo = this.varint64();
    return lo !== 0 || this.hi !== 0;
  }

  /** Checks that `bytes` more bytes can be read and returns where they start. */
  private take(bytes: number): number {
    const p = this.pos;
    if (bytes > this.limit - p) {
      throw new WireDecodeError(`${bytes}-byte value at byte ${p} runs past the end of its message`);
    }
    this.pos = p + bytes;
    return p;
  }

  /** A little-endian 32-bit value, unsigned (fixed32). */
  fixed32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }

  /** A little-endian 32-bit value, signed (sfixed32). */
  sfixed32(): number {
    return this.buf.readInt32LE(this.take(4));
  }

  /** A little-endian 64-bit value: returns the low 32 bits and leaves the high 32 bits in {@link hi}. */
  fixed64(): number {
    const p = this.take(8);
    this.hi = this.buf.readUInt32LE(p + 4);
    return this.buf.readUInt32LE(p);
  }

  /** A little-endian IEEE 754 double. */
  double(): number {
    return this.buf.readDoubleLE(this.take(8));
  }

  /** A little-endian IEEE 754 single. */
  float(): number {
    return this.buf.readFloatLE(this.take(4));
  }

  /** Reads the length of a length-delimited value and returns where the value ends; `pos` is at its start. */
  delimitedEnd(): number {
    const length = this.uint32();
    const p = this.pos;
    if (length > this.limit - p) {
      throw new WireDecodeError(`length ${length} at byte ${p} runs past the end of its message`);
    }
    return p + length;
  }

  /** A length-delimited byte string, copied (the result never shares memory with the input). */
  bytes(): Uint8Array {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    // A plain Uint8Array, as the field's type says (slicing the Buffer would make a Buffer).
    const bytes = new Uint8Array(end - start);
    bytes.set(this.buf.subarray(start, end));
    return bytes;
  }

  /** A length-delimited UTF-8 string; see {@link readUtf8} for `strict`. */
  string(strict: boolean): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return readUtf8(this.buf, start, end, strict);
  }

  /**
   * A field tag: `fieldNumber << 3 | wireType`, unsigned.
   *
   * @throws WireDecodeError for field number 0, wire types 6 and 7, and tags that do not fit 32 bits.
   */
  tag(): number {
    const start = this.pos;
    const tag = this.uint32();
    if (this.pos - start > 5 || (this.pos - start === 5 && (this.buf[this.pos - 1] as number) > 0x0f)) {
      throw new WireDecodeError(`tag at byte ${start} overflows 32 bits`);
    }
    if (tag >>> 3 === 0 || (tag & 7) > 5) {
      throw new WireDecodeError(`invalid tag at byte ${start}: field ${tag >>> 3}, wire type ${tag & 7}`);
    }
    return tag;
  }

  /**
   * Skips the value of an unknown field. `depth` is the depth of the message holding it: groups count as messages
   * towards {@link MAX_MESSAGE_DEPTH}.
   */
  skip(tag: number, depth: number): void {
    switch (tag & 7) {
      case WireType.VARINT:
        this.varint64();
        return;
      case WireType.I64:
        this.take(8);
        return;
      case WireType.LEN:
        this.pos = this.delimitedEnd();
        return;
      case WireType.I32:
        this.take(4);
        return;
      case WireType.SGROUP:
        this.skipGroup(tag >>> 3, depth + 1);
        return;
      default:
        throw new WireDecodeError(`unexpected end-group tag at byte ${this.pos}`);
    }
  }

  private skipGroup(fieldNumber: number, depth: number): void {
    if (depth > MAX_MESSAGE_DEPTH) {
      throw new WireDepthError(`groups nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
    }
    for (;;) {
      if (this.pos >= this.limit) throw new WireDecodeError(`group of field ${fieldNumber} never ends`);
      const tag = this.tag();
      if ((tag & 7) === WireType.EGROUP) {
        if (tag >>> 3 !== fieldNumber)
          throw new WireDecodeError(`mismatched end-group tag at byte ${this.pos}`);
        return;
      }
      this.skip(tag, depth);
    }
  }

  /** Throws for a known field that arrived with another wire type than its type has. */
  wrongWireType(tag: number, field: string): never {
    throw new WireDecodeError(`field ${field} (number ${tag >>> 3}) arrived with wire type ${tag & 7}`);
  }
}
