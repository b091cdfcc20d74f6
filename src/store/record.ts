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

/** Writes a header followed by `payload`. */
export function encodeRecord(header: RecordHeader, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  record.writeUInt32BE(header.expiresAt, 0);
  record.writeUInt8(RECORD_FORMAT, 4);
  record.writeUInt8(header.codecId, 5);
  record.writeUInt32BE(header.version, 6);
  record.writeUInt32BE(header.createdAt, 10);
  record.set(payload, HEADER_BYTES);
  return record;
}

/** The header of `record`, or `null` when it is too short or of another format. */
export function readHeader(record: Uint8Array): RecordHeader | null {
  if (record.byteLength < HEADER_BYTES) return null;
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (view.getUint8(4) !== RECORD_FORMAT) return null;
  return {
    expiresAt: view.getUint32(0),
    codecId: view.getUint8(5),
    version: view.getUint32(6),
    createdAt: view.getUint32(10),
  };
}

/** The payload of `record` (no copy). */
export function payloadOf(record: Buffer): Buffer {
  return record.subarray(HEADER_BYTES);
}
