/**
 * The stored value of one session, the same in both strategies: a fixed 14-byte header, then the payload.
 *
 * | offset | size | field                                                        |
 * | -----: | ---: | ------------------------------------------------------------ |
 * |      0 |    4 | expiry, uint32 big-endian Unix seconds                       |
 * |      4 |    1 | record format, {@link RECORD_FORMAT}                         |
 * |      5 |    1 | codec id of the payload                                      |
 * |      6 |    4 | version, uint32 big-endian (data writes; 1 when created)     |
 * |     10 |    4 | creation time, uint32 big-endian Unix seconds               |
 * |     14 |    … | payload: the session's JSON, compressed as the codec id says |
 *
 * The expiry comes first so that a Lua sweep can read it from the first four bytes without decoding anything
 * else, as the seed's `cleanuprs` did. Lua scripts build and read the same header; `record-lua.ts` derives their
 * code from the constants here.
 */

/** Bytes before the payload. */
export const HEADER_BYTES = 14;

/** The layout version in byte 4. A record with another value is not one this code can read. */
export const RECORD_FORMAT = 1;

/** Largest value of the uint32 fields. */
export const UINT32_MAX = 0xffff_ffff;

/** The header of a stored record. Times are Unix seconds. */
export interface RecordHeader {
  readonly expiresAt: number;
  readonly codecId: number;
  readonly version: number;
  readonly createdAt: number;
}

/** The header of `record`, or `null` when it is too short or of another format. */
export function readHeader(record: Uint8Array): RecordHeader | null {
  // Plain byte arithmetic: every read decodes a header, and a DataView per record costs more than the reads.
  if (record.byteLength < HEADER_BYTES || record[4] !== RECORD_FORMAT) return null;
  return {
    expiresAt: uint32At(record, 0),
    codecId: record[5] ?? 0,
    version: uint32At(record, 6),
    createdAt: uint32At(record, 10),
  };
}

function uint32At(bytes: Uint8Array, at: number): number {
  const high = (bytes[at] ?? 0) * 0x100_0000;
  return high + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

/**
 * Whether a record with this header is dead at `now`: expired, or past its absolute lifetime (`lifetime` seconds
 * after creation; 0 for none). The scripts' `inspect` judges the same way.
 */
export function isDead(header: RecordHeader, now: number, lifetime: number): boolean {
  return header.expiresAt <= now || (lifetime > 0 && header.createdAt + lifetime <= now);
}

/** The payload of `record` (no copy). */
export function payloadOf(record: Buffer): Buffer {
  return record.subarray(HEADER_BYTES);
}
