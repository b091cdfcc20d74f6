/**
 * The service's protobuf writer: one growable scratch buffer that the response encoders (`session-responses.ts`),
 * the JSON-to-Struct transcoder and the Struct writer write into. Length-delimited values reserve one byte for their
 * length, the common case, and are shifted right once when they turn out to need more: no byte is moved more than
 * once per enclosing value of 128 bytes or more. protobuf-es's `BinaryWriter` keeps each nested value in chunks
 * of its own and copies them again at every level: measured on the responses that carry sessions, it was 2.5 to 3
 * times slower (GetSession 1.35 → 3.42 µs, a batch of 100 sessions 88 → 286 µs).
 */
import { WireEncodeError } from "./wire-errors.js";

/** Size of a fresh scratch buffer: a GetSession response of a few KiB fits without growing. */
const INITIAL_BYTES = 16 * 1024;

/** A scratch buffer grown past this is dropped after use: one huge message must not pin its memory forever. */
const RETAINED_BYTES = 1024 * 1024;

/** The number of bytes of `value` (an unsigned 32-bit integer) as a varint. */
function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/**
 * A protobuf binary writer over one reusable buffer. Not re-entrant: {@link acquireWriter} hands the shared one
 * out once at a time.
 */
export class WireWriter {
  /** The scratch buffer; replaced when it grows. */
  buf: Buffer;
  /** Where the next byte goes. */
  pos = 0;
  /** Whether an encoding is in progress on this writer. */
  busy = false;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  private grow(bytes: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned 32-bit varint (also a tag, a length, a non-negative int32, a bool as 0 or 1). */
  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let p = this.pos;
    let v = value;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** A little-endian IEEE 754 double. */
  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** One byte: a one-byte tag, or a bool's value. */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** An int32 field's varint: negative values take 10 bytes, sign-extended to 64 bits. */
  int32(value: number): void {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new WireEncodeError(`cannot encode ${value} as an int32`);
    }
    if (value >= 0) this.uint32(value);
    else this.int64(value);
  }

  /** An int64 field's varint (a Timestamp's or Duration's seconds), from a bigint, number or decimal string. */
  int64(value: bigint | number | string): void {
    const number = Number(value);
    if (number >= 0 && number <= 0xffffffff && Number.isInteger(number)) {
      this.uint32(number);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** A length-delimited byte string. */
  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A length-delimited UTF-8 string; lone surrogates become U+FFFD, as protobuf-es's TextEncoder writes them. */
  string(text: string): void {
    const units = text.length;
    if (units < 0x80) {
      // Short ASCII, the common case (keys, flags, ids), is copied here after a one-byte length: cheaper than a
      // call into C++. The first other character hands the string to Node's encoder.
      this.ensure(1 + units);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < units; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === units) {
        buf[start - 1] = units;
        this.pos = start + units;
        return;
      }
    }
    const length = Buffer.byteLength(text, "utf8");
    this.uint32(length);
    this.ensure(length);
    this.pos += this.buf.write(text, this.pos, length, "utf8");
  }

  /**
   * A string field (one-byte tag `tag`): left out when empty, as proto3 leaves out a field at its default, unless
   * `always` (a oneof's member, present even when empty).
   */
  stringField(tag: number, text: string | undefined, always = false): void {
    if (text === undefined || (text === "" && !always)) return;
    this.byte(tag);
    this.string(text);
  }

  /** An int32 or enum field (one-byte tag `tag`): left out at 0, as proto3 leaves it out. */
  int32Field(tag: number, value: number | undefined): void {
    if (!value) return;
    this.byte(tag);
    this.int32(value);
  }

  /** A tag, then a length to come: returns where the content starts, for {@link join}. */
  forkField(tag: number): number {
    this.ensure(2);
    this.buf[this.pos] = tag;
    this.pos += 2;
    return this.pos;
  }

  /** Ends the value {@link forkField} started: writes its length before it, moving it right if that takes > 1 byte. */
  join(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(start + extra, start, this.pos);
    let p = start - 1;
    let v = length;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
    this.pos += extra;
  }

  /** A copy of everything written (never a view of the scratch buffer); then the writer is empty again. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.reset();
    return out;
  }

  /** Empties the writer (after {@link finish} or a failed encoding), dropping an oversized buffer. */
  reset(): void {
    this.pos = 0;
    this.busy = false;
    if (this.buf.length > RETAINED_BYTES) this.buf = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  }
}

const shared = new WireWriter();

/**
 * The shared writer, or a fresh one when it is already in use (an encoding started from inside another, e.g. by
 * a getter in the data). Release it with `finish()` or `reset()`.
 */
export function acquireWriter(): WireWriter {
  const writer = shared.busy ? new WireWriter(256) : shared;
  writer.busy = true;
  return writer;
}

/** Runs `write` on the shared writer and returns its bytes; the writer is reset whatever happens. */
export function encodedBy(write: (writer: WireWriter) => void): Buffer {
  const writer = acquireWriter();
  try {
    write(writer);
  } catch (error) {
    writer.reset();
    throw error;
  }
  return writer.finish();
}
