/**
 * The stored value of one session, the same in both strategies: a small header, then the payload (the session's
 * JSON, compressed as the codec id says). Two layouts are read; format 2 is the one written.
 *
 * Format 2, 6 bytes for most sessions:
 *
 * | offset | size   | field                                                                              |
 * | -----: | -----: | ---------------------------------------------------------------------------------- |
 * |      0 |      4 | expiry, uint32 big-endian Unix seconds                                             |
 * |      4 |      1 | flags: bit 7 set; bits 6–5 the idle TTL's unit; bit 4 creation time; bits 3–0 codec |
 * |      5 |    1–5 | version, unsigned LEB128 varint (data writes; 1 when created)                      |
 * |        |    0–5 | idle TTL, varint count of the unit (only when the unit is not 0)                  |
 * |        | 0 or 4 | creation time, uint32 big-endian Unix seconds (only when bit 4 is set)            |
 * |        |      … | payload                                                                            |
 *
 * Idle TTL units ({@link TTL_UNIT_SECONDS}): 0 = none stored, the session follows its store's `defaultTtl`;
 * 1 = seconds, 2 = minutes, 3 = days (the largest that divides the TTL, so 30 minutes or 14 days take one byte).
 * The creation time is stored only by stores with a `maxLifetime`, the only thing that needs it.
 *
 * Format 1, 14 bytes: expiry (4), the byte 1, codec id (1), version (uint32 BE), creation time (uint32 BE). Such
 * records follow the store's `defaultTtl`; a save rewrites them as format 2.
 *
 * The expiry comes first in both so that a Lua sweep can read it from the first four bytes without decoding
 * anything else, as the seed's `cleanuprs` did; byte 4 tells the formats apart (1, or at least 0x80). Lua scripts
 * build and read the same header; `record-lua.ts` derives their code from the constants here.
 */

import { MAX_CODEC_ID } from "../../codec/codec.js";

/** Byte 4 of a format-1 record. */
export const FORMAT_1 = 1;

/** Header bytes of a format-1 record. */
export const FORMAT_1_BYTES = 14;

/** Bit 7 of byte 4: set in every format-2 record (and never in format 1's byte). */
export const FORMAT_2_FLAG = 0x80;

/** Bit 4 of byte 4 in format 2: a creation time follows the idle TTL. */
export const CREATED_FLAG = 0x10;

/** Bits 3–0 of byte 4 in format 2: the codec id (codec ids are at most 15 for this). */
export const CODEC_MASK = MAX_CODEC_ID;

/** Seconds in one count of each idle TTL unit (bits 6–5 of byte 4); unit 0 stores no TTL. */
export const TTL_UNIT_SECONDS = [0, 1, 60, 86_400] as const;

/** The longest header: expiry, flags, a 5-byte version, a 5-byte TTL and a creation time. */
export const MAX_HEADER_BYTES = 4 + 1 + 5 + 5 + 4;

/** Largest value of the uint32 fields (and of a varint). */
export const UINT32_MAX = 0xffff_ffff;

/**
 * The largest version: versions are int32 on the wire (Java has no unsigned types), so after 2^31 - 1 writes a
 * session's version starts again at 1. A header with a larger version is malformed.
 */
export const VERSION_MAX = 0x7fff_ffff;

/** The header of a stored record. Times are Unix seconds. */
export interface RecordHeader {
  readonly expiresAt: number;
  readonly codecId: number;
  readonly version: number;
  /** When the session was created; `undefined` when the record does not say (format 2 without a maxLifetime). */
  readonly createdAt: number | undefined;
  /** The session's own idle TTL in seconds; `undefined` when it follows its store's `defaultTtl`. */
  readonly idleTtl: number | undefined;
  /** Where the payload starts. */
  readonly headerBytes: number;
}

/** The header fields a record is written with (what {@link encodeHeader} takes). */
export type HeaderFields = Omit<RecordHeader, "headerBytes">;

/** The header of `record`, or `null` when it is malformed (too short, another format, an overlong varint). */
export function readHeader(record: Uint8Array): RecordHeader | null {
  // Plain byte arithmetic: every read decodes a header, and a DataView per record costs more than the reads.
  if (record.byteLength < 5) return null;
  const expiresAt = uint32At(record, 0);
  const flags = record[4] as number;
  if (flags === FORMAT_1) {
    if (record.byteLength < FORMAT_1_BYTES) return null;
    const version = uint32At(record, 6);
    if (version > VERSION_MAX) return null;
    return {
      expiresAt,
      codecId: record[5] as number,
      version,
      createdAt: uint32At(record, 10),
      idleTtl: undefined,
      headerBytes: FORMAT_1_BYTES,
    };
  }
  if (flags < FORMAT_2_FLAG) return null;
  const version = readVarint(record, 5);
  if (version === null || version.value > VERSION_MAX) return null;
  let at = version.next;
  let idleTtl: number | undefined;
  const unit = (flags >> 5) & 0b11;
  if (unit !== 0) {
    const count = readVarint(record, at);
    if (count === null) return null;
    idleTtl = count.value * (TTL_UNIT_SECONDS[unit] as number);
    at = count.next;
  }
  let createdAt: number | undefined;
  if ((flags & CREATED_FLAG) !== 0) {
    if (record.byteLength < at + 4) return null;
    createdAt = uint32At(record, at);
    at += 4;
  }
  return {
    expiresAt,
    codecId: flags & CODEC_MASK,
    version: version.value,
    createdAt,
    idleTtl,
    headerBytes: at,
  };
}

/**
 * The format-2 header of a record with these fields, as the Lua scripts write it. The service never writes
 * records from Node (the scripts do, atomically with their checks); this is the format's reference for tests and
 * benchmarks, which check that both agree.
 *
 * @throws {RangeError} for a field the format cannot hold.
 */
export function encodeHeader(fields: HeaderFields): Buffer {
  const { expiresAt, codecId, version, createdAt, idleTtl } = fields;
  if (!Number.isInteger(codecId) || codecId < 0 || codecId > CODEC_MASK) throw new RangeError("codec id");
  if (version > VERSION_MAX) throw new RangeError("version");
  let flags = FORMAT_2_FLAG | codecId;
  const parts: number[] = [];
  pushUint32(parts, expiresAt);
  parts.push(0); // flags, set below
  pushVarint(parts, version);
  if (idleTtl !== undefined) {
    const unit = ttlUnit(idleTtl);
    flags |= unit << 5;
    pushVarint(parts, idleTtl / (TTL_UNIT_SECONDS[unit] as number));
  }
  if (createdAt !== undefined) {
    flags |= CREATED_FLAG;
    pushUint32(parts, createdAt);
  }
  parts[4] = flags;
  return Buffer.from(parts);
}

/** The largest unit that divides `seconds` (a positive integer): 3 days, 2 minutes, 1 seconds. */
function ttlUnit(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError("idle TTL");
  if (seconds % 86_400 === 0) return 3;
  return seconds % 60 === 0 ? 2 : 1;
}

/**
 * Whether a record with this header is dead at `now`: expired, or past its absolute lifetime (`lifetime` seconds
 * after creation; 0 for none; a record without a creation time has none yet). The scripts' `inspect` judges the
 * same way.
 */
export function isDead(header: RecordHeader, now: number, lifetime: number): boolean {
  return (
    header.expiresAt <= now ||
    (lifetime > 0 && header.createdAt !== undefined && header.createdAt + lifetime <= now)
  );
}

/** The payload of `record`, whose header is `header` (no copy). */
export function payloadOf(record: Buffer, header: RecordHeader): Buffer {
  return record.subarray(header.headerBytes);
}

function uint32At(bytes: Uint8Array, at: number): number {
  const high = (bytes[at] ?? 0) * 0x100_0000;
  return high + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

/** The varint at `at` and the offset after it; `null` when truncated, over 5 bytes or over {@link UINT32_MAX}. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = at; i < at + 5; i++) {
    const byte = bytes[i];
    if (byte === undefined) return null;
    if (byte < 0x80) {
      value += byte * scale;
      return value > UINT32_MAX ? null : { value, next: i + 1 };
    }
    value += (byte - 0x80) * scale;
    scale *= 0x80;
  }
  return null;
}

function pushVarint(parts: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw new RangeError("varint");
  let rest = value;
  while (rest >= 0x80) {
    parts.push(0x80 | (rest % 0x80));
    rest = Math.floor(rest / 0x80);
  }
  parts.push(rest);
}

function pushUint32(parts: number[], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw new RangeError("uint32");
  parts.push(Math.floor(value / 0x100_0000), (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}
