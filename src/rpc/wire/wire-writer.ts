/**
 * Protobuf binary output, written once into a growable scratch buffer. Length-delimited values (nested messages,
 * packed fields) reserve one byte for their length, the common case, and are shifted right once when they turn
 * out to need more: each message is traversed once, and no byte is moved more than once per enclosing message of
 * 128 bytes or more (nesting is bounded by MAX_MESSAGE_DEPTH).
 */

/** Size of a fresh scratch buffer: a GetSession response of a few KiB fits without growing. */
const INITIAL_BYTES = 16 * 1024;

/** A scratch buffer grown past this is dropped after use: one huge message must not pin its memory forever. */
const RETAINED_BYTES = 1024 * 1024;

/** Strings up to this many UTF-16 units take at most 126 bytes in UTF-8 (3 per unit): a 1-byte length prefix. */
const SHORT_STRING_UNITS = 42;

/** Above this many bytes, Node's native UTF-8 writer beats the JavaScript loop. */
const NATIVE_UTF8_BYTES = 64;

/** The number of bytes of `value` (an unsigned 32-bit integer) as a varint. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/**
 * Writes UTF-8 from `text[from]` on at `buf[at]` (which has room for 3 bytes per remaining unit) and returns the
 * position after it. Lone surrogates become U+FFFD, as TextEncoder (and so protobuf-es) writes them.
 */
function writeUtf8(buf: Buffer, at: number, text: string, from: number): number {
  let p = at;
  const n = text.length;
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && next >= 0xdc00 && next <= 0xdfff) {
        const code = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[p++] = 0xf0 | (code >> 18);
        buf[p++] = 0x80 | ((code >> 12) & 0x3f);
        buf[p++] = 0x80 | ((code >> 6) & 0x3f);
        buf[p++] = 0x80 | (code & 0x3f);
        i++;
      } else {
        buf[p++] = 0xef;
        buf[p++] = 0xbf;
        buf[p++] = 0xbd;
      }
    }
  }
  return p;
}

/**
 * A protobuf binary writer over one reusable buffer. Not re-entrant: {@link acquireWriter} hands the shared one
 * out once at a time. Values are written as given; range checks are the field encoders'.
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

  /** A signed 32-bit varint: negative values take 10 bytes, sign-extended to 64 bits. */
  int32(value: number): void {
    if (value >= 0) this.uint32(value);
    else this.varint64(value >>> 0, 0xffffffff);
  }

  /** A 64-bit varint from its low and high unsigned 32-bit halves. */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    let low = lo;
    let high = hi;
    while (high !== 0 || low > 0x7f) {
      buf[p++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[p++] = low;
    this.pos = p;
  }

  /** A little-endian 32-bit value (fixed32, sfixed32: the low 32 bits of `value`). */
  fixed32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = value & 0xff;
    buf[p + 1] = (value >>> 8) & 0xff;
    buf[p + 2] = (value >>> 16) & 0xff;
    buf[p + 3] = (value >>> 24) & 0xff;
    this.pos = p + 4;
  }

  /** A little-endian 64-bit value from its low and high 32-bit halves. */
  fixed64(lo: number, hi: number): void {
    this.fixed32(lo);
    this.fixed32(hi);
  }

  /** A little-endian IEEE 754 double. */
  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A little-endian IEEE 754 single (the caller has checked the range). */
  float(value: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(value, this.pos);
    this.pos += 4;
  }

  /** Bytes as they are, without a length. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A length-delimited byte string. */
  bytes(bytes: Uint8Array): void {
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /** A length-delimited UTF-8 string. */
  string(text: string): void {
    const units = text.length;
    if (units <= SHORT_STRING_UNITS) {
      // The length fits in the one byte reserved before the text; the loop stays in JavaScript for ASCII.
      this.ensure(1 + units * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < units; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) {
          p = writeUtf8(buf, p, text, i);
          break;
        }
        buf[p++] = c;
      }
      buf[start - 1] = p - start;
      this.pos = p;
      return;
    }
    const length = Buffer.byteLength(text, "utf8");
    this.uint32(length);
    this.ensure(length);
    if (length <= NATIVE_UTF8_BYTES) {
      this.pos = writeUtf8(this.buf, this.pos, text, 0);
    } else {
      this.pos += this.buf.write(text, this.pos, length, "utf8");
    }
  }

  /** Starts a length-delimited value of unknown length; returns where its content starts, for {@link join}. */
  fork(): number {
    this.ensure(1);
    return ++this.pos;
  }

  /** Ends the value {@link fork} started: writes its length before it, moving it right if that takes > 1 byte. */
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
