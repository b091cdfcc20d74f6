/**
 * Where a store remembers its requests: one script that begins a request, or finds it remembered, and one that
 * marks it done, over the records `request-record.ts` lays out.
 */

import { BackendFullError, BackendUnavailableError } from "../errors.js";
import { LuaScript } from "../redis/lua-script.js";
import type { RedisLink } from "../redis/redis-link.js";
import {
  decodeRequestRecord,
  encodeRequestRecord,
  PENDING_RECORD_BYTES,
  type RequestRecord,
  requestRecordKey,
} from "./request-record.js";

/**
 * KEYS: the request's record. ARGV: now, the pending record, when it is forgotten. Answers the record stored
 * under the id if it is still remembered (by the caller's clock, as session expiries are judged: Redis' own
 * expiry only removes what that clock has forgotten already), else stores the pending one and answers nil. A value
 * too short to carry a time is not a record: it is replaced.
 */
const BEGIN = new LuaScript(
  "request-begin",
  `local value = redis.call('GET', KEYS[1])
if value and #value >= ${PENDING_RECORD_BYTES} and struct.unpack('>I4', value) > tonumber(ARGV[1]) then
  return value
end
redis.call('SET', KEYS[1], ARGV[2], 'EXAT', ARGV[3])
return false
`,
);

/**
 * KEYS: the request's record. ARGV: the pending record as written, the done record. Replaces the one with the
 * other, keeping the key's expiry, only if the record is still that pending one (a twin attempt may have marked it
 * done first, or it may have been forgotten). Reply: 1 or 0. `allow-oom`: the work it records is written already,
 * and recording it is what spares later repeats a round trip; a full Redis must not refuse these few bytes.
 */
const FINISH = new LuaScript(
  "request-finish",
  `#!lua flags=allow-oom
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`,
);

/** What {@link RequestMemory.begin} found. */
export interface BegunRequest {
  /** The record now stored under the id: the caller's pending one, or the one remembered before. */
  readonly record: RequestRecord;
  /** Its bytes as stored, for {@link RequestMemory.finish}. */
  readonly stored: Buffer;
  /** Whether the record is the caller's: no request with this id was remembered. */
  readonly first: boolean;
}

/** A store's remembered requests: begin one (or find it remembered), and mark it done. */
export class RequestMemory {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: Buffer,
    /** How long an id is remembered, in seconds: the store's `requestIdTtl`. */
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Remembers `pending` (its `forgetAt` is set here) under `id` unless the id is remembered already, in one
   * script. Answers the record now stored under the id, its bytes, and whether it is `pending`, this caller's.
   *
   * @param now - the store's clock, in Unix seconds.
   * @throws {BackendError} when a remembered value is not a record.
   */
  async begin(id: Buffer, pending: Omit<RequestRecord, "forgetAt">, now: number): Promise<BegunRequest> {
    const forgetAt = now + this.ttlSeconds;
    const record = { ...pending, forgetAt };
    const written = encodeRequestRecord(record);
    const reply = await this.link.run(
      BEGIN,
      [requestRecordKey(this.prefix, id)],
      [String(now), written, String(forgetAt)],
    );
    if (!Buffer.isBuffer(reply)) return { record, stored: written, first: true };
    return { record: decodeRequestRecord(reply), stored: reply, first: false };
  }

  /**
   * Marks the request done: the record whose bytes are `stored` (as {@link RequestMemory.begin} answered them)
   * becomes `done`, unless it changed meanwhile. Best effort: the work is done and its answer known, and a record
   * left pending is completed correctly by a repeat (at the cost of a round trip or two), so a Redis that cannot
   * be reached right now must not turn a success into a failure.
   */
  async finish(id: Buffer, stored: Buffer, done: RequestRecord): Promise<void> {
    try {
      await this.link.run(FINISH, [requestRecordKey(this.prefix, id)], [stored, encodeRequestRecord(done)]);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError || error instanceof BackendFullError)) throw error;
    }
  }
}
