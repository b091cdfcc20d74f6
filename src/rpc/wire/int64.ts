import type { WireReader } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * 64-bit integers between `bigint` and the wire's two 32-bit halves. Values within ±2^53 (Timestamp seconds, every
 * counter in practice) go through plain numbers, which is several times faster than bigint arithmetic.
 */

const TWO_32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;

/** How a 64-bit field is laid out on the wire. */
export type Int64Layout = "varint" | "zigzag" | "fixed";

/**
 * The value of a 64-bit field as a bigint: a bigint, an integer number or a decimal string (what
 * `MessageInitShape` and `jstype = JS_STRING` allow), checked against the field's range.
 *
 * @returns undefined when the value is none of those or out of range.
 */
export function toInt64(value: unknown, signed: boolean): bigint | undefined {
  let big: bigint;
  if (typeof value === "bigint") {
    big = value;
  } else if (typeof value === "number" || typeof value === "string") {
    try {
      big = BigInt(value);
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  const inRange = signed ? big >= MIN_INT64 && big <= MAX_INT64 : big >= 0n && big <= MAX_UINT64;
  return inRange ? big : undefined;
}

/** Low and high halves of the last {@link split}, two's complement. */
let low = 0;
let high = 0;

function split(value: bigint): void {
  if (value >= -MAX_SAFE && value <= MAX_SAFE) {
    const n = Number(value);
    low = n >>> 0;
    high = Math.floor(n / TWO_32) >>> 0;
  } else {
    const u = BigInt.asUintN(64, value);
    low = Number(u & 0xffffffffn);
    high = Number(u >> 32n);
  }
}

/** Writes `value` (in range for its field) in `layout`. */
export function writeInt64(writer: WireWriter, value: bigint, layout: Int64Layout): void {
  if (layout === "varint" && value >= 0n && value <= 0xffffffffn) {
    writer.uint32(Number(value));
    return;
  }
  split(value);
  if (layout === "fixed") {
    writer.fixed64(low, high);
  } else if (layout === "zigzag") {
    const sign = high >> 31;
    writer.varint64(((low << 1) ^ sign) >>> 0, (((high << 1) | (low >>> 31)) ^ sign) >>> 0);
  } else {
    writer.varint64(low, high);
  }
}

/** The bigint of two unsigned 32-bit halves, as a signed or an unsigned 64-bit integer. */
export function joinInt64(lo: number, hi: number, signed: boolean): bigint {
  if (hi <= 0x1fffff) return BigInt(hi * TWO_32 + lo);
  if (signed && hi >= 0xffe00000) return BigInt((hi - TWO_32) * TWO_32 + lo);
  const unsigned = (BigInt(hi) << 32n) | BigInt(lo);
  return signed ? BigInt.asIntN(64, unsigned) : unsigned;
}

/** Reads a 64-bit integer laid out as `layout`. */
export function readInt64(reader: WireReader, layout: Int64Layout, signed: boolean): bigint {
  if (layout === "fixed") {
    const lo = reader.fixed64();
    return joinInt64(lo, reader.hi, signed);
  }
  const lo = reader.varint64();
  const hi = reader.hi;
  if (layout === "zigzag") {
    const sign = -(lo & 1);
    return joinInt64((((lo >>> 1) | (hi << 31)) ^ sign) >>> 0, ((hi >>> 1) ^ sign) >>> 0, true);
  }
  return joinInt64(lo, hi, signed);
}
