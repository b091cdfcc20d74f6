/**
 * A remembered request (AIP-155 `request_id`): one Redis String per request id, under the store's prefix, that
 * says what the request was, which session key it chose, and whether it completed.
 *
 * Its Redis key is `prefix + 0xFF + "request:" + the id's 16 bytes`. It cannot collide:
 * - with the store's sessions and buckets, which are `prefix` followed by exactly 16 bytes (string sessions) or 1
 *   to 3 bytes (hash buckets), nor with its sweeper's keys (13 and 14 bytes, see `sweep-lease.ts`): this one has
 *   25 bytes after the prefix;
 * - with another store's keys, for the reason `sweep-lease.ts` gives: a prefix is UTF-8 text, which never holds
 *   the byte 0xFF, and no two stores on one connection have prefixes where one starts the other.
 * The stats and the dictionary sampler find sessions by SCAN patterns of exact lengths, so they never count it.
 * It has no hash tag: each is touched alone, and ids spread over a cluster's slots like sessions do.
 *
 * The value, 38 bytes (54 for a completed create):
 *
 * | offset | bytes | field |
 * | --- | --- | --- |
 * | 0 | 4 | when it is forgotten: uint32 big-endian Unix seconds, by the service's clock (as session expiries) |
 * | 4 | 1 | the operation: {@link RequestKind} (1 create, 2 rotate) |
 * | 5 | 1 | state: 0 pending (chosen, perhaps not done), 1 done |
 * | 6 | 16 | the request's digest (`request-id.ts`) |
 * | 22 | 16 | the session key the request chose: the created session's, or the one a rotation moves to |
 * | 38 | 16 | a done create only, what it answered: version, created (0: none), expires, idle TTL (uint32 BE) |
 *
 * The Redis key expires at the same time (EXAT), so Redis removes forgotten requests by itself.
 */

import { BackendError } from "../errors.js";
import { SESSION_KEY_BYTES } from "../records/session-key.js";
import type { StampFields } from "../session.js";
import { REQUEST_DIGEST_BYTES, REQUEST_ID_BYTES, RequestKind } from "./request-id.js";

/** The bytes of a pending record (and of a done rotation's). */
export const PENDING_RECORD_BYTES = 38;

/** What a request record says. */
export interface RequestRecord {
  /** When the id is forgotten, in Unix seconds. */
  readonly forgetAt: number;
  readonly kind: RequestKind;
  /** Whether the request completed; false while its work may still be under way (or was cut short). */
  readonly done: boolean;
  readonly digest: Buffer;
  /** The session key the request chose (16 bytes). */
  readonly key: Buffer;
  /** A done create: the version and times it answered, and the idle TTL (seconds). */
  readonly answer?: StampFields & { readonly idleTtl: number };
}

const SEPARATOR = Buffer.from([0xff]);
const NAME = Buffer.from("request:");

/** The Redis key that remembers request id `id` (16 bytes) in the store whose keys start with `prefix`. */
export function requestRecordKey(prefix: Buffer, id: Buffer): Buffer {
  if (id.byteLength !== REQUEST_ID_BYTES) throw new RangeError("a request id has 16 bytes");
  return Buffer.concat([prefix, SEPARATOR, NAME, id]);
}

/** The stored form of `record`. */
export function encodeRequestRecord(record: RequestRecord): Buffer {
  const { answer } = record;
  const bytes = Buffer.alloc(PENDING_RECORD_BYTES + (answer === undefined ? 0 : 16));
  bytes.writeUInt32BE(record.forgetAt, 0);
  bytes[4] = record.kind;
  bytes[5] = record.done ? 1 : 0;
  record.digest.copy(bytes, 6, 0, REQUEST_DIGEST_BYTES);
  record.key.copy(bytes, 22, 0, SESSION_KEY_BYTES);
  if (answer !== undefined) {
    bytes.writeUInt32BE(answer.version, 38);
    bytes.writeUInt32BE(answer.createdAt ?? 0, 42);
    bytes.writeUInt32BE(answer.expiresAt, 46);
    bytes.writeUInt32BE(answer.idleTtl, 50);
  }
  return bytes;
}

/**
 * The record in `bytes`. Only this service writes these keys, so a value it cannot read means someone else wrote
 * under the store's prefix: a fault of the deployment, not of the request.
 *
 * @throws {BackendError} when `bytes` is not a record.
 */
export function decodeRequestRecord(bytes: Buffer): RequestRecord {
  const kind = bytes[4];
  const state = bytes[5];
  const length = bytes.byteLength;
  const completedCreate = kind === RequestKind.create && state === 1;
  if (
    (kind !== RequestKind.create && kind !== RequestKind.rotate) ||
    (state !== 0 && state !== 1) ||
    length !== PENDING_RECORD_BYTES + (completedCreate ? 16 : 0)
  ) {
    throw new BackendError("a remembered request record is malformed");
  }
  return {
    forgetAt: bytes.readUInt32BE(0),
    kind,
    done: state === 1,
    digest: Buffer.from(bytes.subarray(6, 22)),
    key: Buffer.from(bytes.subarray(22, 38)),
    answer: completedCreate
      ? {
          version: bytes.readUInt32BE(38),
          createdAt: bytes.readUInt32BE(42),
          expiresAt: bytes.readUInt32BE(46),
          idleTtl: bytes.readUInt32BE(50),
        }
      : undefined,
  };
}
