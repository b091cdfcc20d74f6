import { ScalarType } from "@bufbuild/protobuf";
import { type Int64Layout, readInt64, toInt64, writeInt64 } from "./int64.js";
import { type WireReader, WireType } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * One codec per protobuf scalar type (enums are int32): its wire type, its zero value test, a checked writer and a
 * reader. The field codecs build on these; nothing here knows about fields or messages.
 */

/** How a scalar type travels and is told apart from its zero value. */
export interface ScalarCodec {
  /** The wire type of one value (packed lists use LEN for the list). */
  readonly wireType: number;
  /** Whether an implicit-presence field holding `value` is left off the wire, as protobuf-es decides it. */
  readonly isZero: (value: unknown) => boolean;
  /**
   * Writes one value.
   *
   * @returns false, writing nothing, when the value has the wrong JavaScript type or is out of range.
   */
  readonly write: (writer: WireWriter, value: unknown) => boolean;
  /** Reads one value; the wire type has been checked. */
  readonly read: (reader: WireReader) => unknown;
}

/** What of a field, besides its scalar type, changes how its values are read. */
export interface ScalarOptions {
  /** `jstype = JS_STRING`: 64-bit values are decimal strings rather than bigints. */
  readonly longAsString: boolean;
  /** Reject invalid UTF-8 in strings rather than replace it. */
  readonly utf8Validation: boolean;
}

const FLOAT32_MAX = 3.4028234663852886e38;

const isInt32 = (value: unknown): value is number => typeof value === "number" && (value | 0) === value;
const isUint32 = (value: unknown): value is number => typeof value === "number" && value >>> 0 === value;
const isZeroNumber = (value: unknown) => value === 0;
// -0 is not a zero value: it is written, as proto3 requires and protobuf-es does.
const isPositiveZero = (value: unknown) => value === 0 && 1 / value > 0;
// Loose equality, as protobuf-es tests 64-bit zeros: 0n, 0 and "0" are all zero.
// biome-ignore lint/suspicious/noDoubleEquals: deliberate, see above
const isZero64 = (value: unknown) => value == 0;

function int64Codec(layout: Int64Layout, signed: boolean, longAsString: boolean): ScalarCodec {
  return {
    wireType: layout === "fixed" ? WireType.I64 : WireType.VARINT,
    isZero: isZero64,
    write(writer, value) {
      const big = toInt64(value, signed);
      if (big === undefined) return false;
      writeInt64(writer, big, layout);
      return true;
    },
    read: longAsString
      ? (reader) => readInt64(reader, layout, signed).toString()
      : (reader) => readInt64(reader, layout, signed),
  };
}

/**
 * A codec whose writer writes, with `put`, only what `accepts` lets through: the checked-writer contract of
 * {@link ScalarCodec.write}, kept in one place.
 */
function checkedCodec<T>(
  wireType: number,
  isZero: (value: unknown) => boolean,
  accepts: (value: unknown) => value is T,
  put: (writer: WireWriter, value: T) => void,
  read: (reader: WireReader) => unknown,
): ScalarCodec {
  return {
    wireType,
    isZero,
    write(writer, value) {
      if (!accepts(value)) return false;
      put(writer, value);
      return true;
    },
    read,
  };
}

const isString = (value: unknown): value is string => typeof value === "string";
const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
const isNumber = (value: unknown): value is number => typeof value === "number";
// Out of float32 range is an error rather than Infinity (±Infinity and NaN themselves are fine).
const isFloat32 = (value: unknown): value is number =>
  typeof value === "number" && !(Number.isFinite(value) && (value > FLOAT32_MAX || value < -FLOAT32_MAX));

function int32Codec(read: (reader: WireReader) => number): ScalarCodec {
  return checkedCodec(WireType.VARINT, isZeroNumber, isInt32, (writer, value) => writer.int32(value), read);
}

/** The codec of `type` (an enum field's is INT32's). */
export function scalarCodec(type: ScalarType, options: ScalarOptions): ScalarCodec {
  switch (type) {
    case ScalarType.STRING: {
      const strict = options.utf8Validation;
      return checkedCodec(
        WireType.LEN,
        (value) => value === "",
        isString,
        (writer, value) => writer.string(value),
        (reader) => reader.string(strict),
      );
    }
    case ScalarType.BYTES:
      return {
        wireType: WireType.LEN,
        isZero: (value) => value instanceof Uint8Array && value.length === 0,
        write(writer, value) {
          // An init object may give bytes as an array of numbers, as create() accepts.
          const bytes = Array.isArray(value) ? Uint8Array.from(value) : value;
          if (!(bytes instanceof Uint8Array)) return false;
          writer.bytes(bytes);
          return true;
        },
        read: (reader) => reader.bytes(),
      };
    case ScalarType.BOOL:
      return checkedCodec(
        WireType.VARINT,
        (value) => value === false,
        isBoolean,
        (writer, value) => writer.uint32(value ? 1 : 0),
        (reader) => reader.bool(),
      );
    case ScalarType.DOUBLE:
      return checkedCodec(
        WireType.I64,
        isPositiveZero,
        isNumber,
        (writer, value) => writer.double(value),
        (reader) => reader.double(),
      );
    case ScalarType.FLOAT:
      return checkedCodec(
        WireType.I32,
        isPositiveZero,
        isFloat32,
        (writer, value) => writer.float(value),
        (reader) => reader.float(),
      );
    case ScalarType.INT32:
      return int32Codec((reader) => reader.uint32() | 0);
    case ScalarType.SINT32:
      return checkedCodec(
        WireType.VARINT,
        isZeroNumber,
        isInt32,
        (writer, value) => writer.uint32(((value << 1) ^ (value >> 31)) >>> 0),
        (reader) => {
          const zigzag = reader.uint32();
          return (zigzag >>> 1) ^ -(zigzag & 1);
        },
      );
    case ScalarType.UINT32:
      return checkedCodec(
        WireType.VARINT,
        isZeroNumber,
        isUint32,
        (writer, value) => writer.uint32(value),
        (reader) => reader.uint32(),
      );
    case ScalarType.FIXED32:
      return checkedCodec(
        WireType.I32,
        isZeroNumber,
        isUint32,
        (writer, value) => writer.fixed32(value),
        (reader) => reader.fixed32(),
      );
    case ScalarType.SFIXED32:
      return checkedCodec(
        WireType.I32,
        isZeroNumber,
        isInt32,
        (writer, value) => writer.fixed32(value),
        (reader) => reader.sfixed32(),
      );
    case ScalarType.INT64:
      return int64Codec("varint", true, options.longAsString);
    case ScalarType.UINT64:
      return int64Codec("varint", false, options.longAsString);
    case ScalarType.SINT64:
      return int64Codec("zigzag", true, options.longAsString);
    case ScalarType.FIXED64:
      return int64Codec("fixed", false, options.longAsString);
    case ScalarType.SFIXED64:
      return int64Codec("fixed", true, options.longAsString);
  }
}

/** The codec of enum values: open enums, so any int32 is kept as it is. */
export const enumCodec: ScalarCodec = int32Codec((reader) => reader.uint32() | 0);
