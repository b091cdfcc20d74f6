/** The string strategy: one Redis String per session, which Redis expires by itself. */

import {
  BackendError,
  ConcurrentModificationError,
  CorruptRecordError,
  SessionNotFoundError,
} from "../errors.js";
import { isDead, readHeader } from "../records/record.js";
import { newSessionKeyBytes, SESSION_KEY_BYTES } from "../records/session-key.js";
import type { RedisLink, RedisReply } from "../redis/redis-link.js";
import type { StatsOptions, StoreStats } from "../stats/store-stats.js";
import { stringStoreStats } from "../stats/string-stats.js";
import {
  STRING_DELETE_IF_UNCHANGED,
  STRING_PLACE_COPY,
  STRING_SAVE,
  STRING_TOUCH,
} from "./lua/string-scripts.js";
import { type SaveArgs, type StoreStrategy, saveArgv, type TouchArgs, touchArgv } from "./store-strategy.js";

/** How often a rotation restarts when writers keep changing the session under it. */
const ROTATE_ATTEMPTS = 3;

/**
 * One Redis String per session under `prefix + 16 key bytes`, its Redis TTL set in the same command as the
 * write, so Redis itself removes expired sessions and there is nothing to sweep.
 */
export class StringStrategy implements StoreStrategy {
  constructor(
    private readonly link: RedisLink,
    readonly prefix: Buffer,
  ) {}

  /** The Redis key of a session. */
  redisKey(key: Buffer): Buffer {
    return Buffer.concat([this.prefix, key]);
  }

  async read(key: Buffer): Promise<Buffer | null> {
    return asRecord(await this.link.command(["GET", this.redisKey(key)]));
  }

  /**
   * One MGET. It spans many keys, which a Redis Cluster would refuse across slots; the service talks to a single
   * Redis (or a primary), where one command is what makes a batch cheap.
   */
  async readMany(keys: readonly Buffer[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    return asRecords(
      await this.link.command(["MGET", ...keys.map((key) => this.redisKey(key))]),
      keys.length,
    );
  }

  save(key: Buffer, args: SaveArgs): Promise<RedisReply> {
    return this.link.run(STRING_SAVE, [this.redisKey(key)], saveArgv(args));
  }

  touch(key: Buffer, args: TouchArgs, withValue: boolean): Promise<RedisReply> {
    return this.link.run(STRING_TOUCH, [this.redisKey(key)], touchArgv(args, withValue));
  }

  async delete(key: Buffer): Promise<boolean> {
    return (await this.link.command(["DEL", this.redisKey(key)])) === 1;
  }

  /**
   * The old and new keys are different Redis keys (different cluster slots), so this cannot be one script. It
   * copies the record to a fresh key (SET NX, same expiry), then deletes the old key only if it still holds the
   * bytes that were copied; if a writer changed it meanwhile, the copy is dropped and the rotation starts over,
   * so no write is lost. A crash between the steps leaves the old session alive and an orphan copy that expires
   * with it — never a success with the old key alive.
   */
  async rotate(key: Buffer, now: number, lifetime: number, check: (record: Buffer) => void): Promise<Buffer> {
    const oldKey = this.redisKey(key);
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const record = await this.read(key);
      const header = record === null ? null : readHeader(record);
      if (record === null) throw new SessionNotFoundError("no live session under this key");
      if (header === null) throw new CorruptRecordError("record header is malformed");
      if (isDead(header, now, lifetime)) throw new SessionNotFoundError("no live session under this key");
      check(record);

      const fresh = newSessionKeyBytes();
      const freshKey = this.redisKey(fresh);
      const copied = await this.link.command([
        "SET",
        freshKey,
        record,
        "NX",
        "EXAT",
        String(header.expiresAt),
      ]);
      if (copied === null) continue; // 128-bit collision: astronomically unlikely, but never overwrite.
      if ((await this.link.run(STRING_DELETE_IF_UNCHANGED, [oldKey], [record])) === 1) {
        return fresh;
      }
      await this.link.command(["DEL", freshKey]);
    }
    throw new ConcurrentModificationError();
  }

  /** An exact count by SCAN of the keys of a session's shape, and a sample of them. */
  stats(options?: StatsOptions): Promise<StoreStats> {
    return stringStoreStats(this.link, this.prefix, SESSION_KEY_BYTES, options);
  }

  /** None: Redis removes each session's String when its TTL runs out. */
  sweeper(): null {
    return null;
  }

  /** A fresh key for a rotation of any key: 16 random bytes. */
  drawKeyFor(): Buffer {
    return newSessionKeyBytes();
  }

  /**
   * Moves the session to `fresh`, a key a remembered request fixed, so that every attempt of that request (a
   * retry, a twin racing it, one completing what a crashed attempt began) uses the same. Copy, then delete the old
   * key if unchanged, as {@link StringStrategy.rotate} does, with two differences that let attempts share the key:
   * - a value found at `fresh` is this request's (nobody else knows the key): kept when it is the same bytes;
   *   otherwise left, and the old key read again: gone, another attempt completed (the caller answers `fresh`);
   *   still live, no attempt completed with that value, and the next pass replaces it (compared byte for byte,
   *   so a value another attempt wrote meanwhile is never overwritten);
   * - a copy is never deleted: another attempt may have just removed the old key and answered the copy.
   * So a logout (DeleteSession of the old key) landing between a copy and its delete leaves the session under
   * `fresh`: the outcome of the rotation completing first and the logout then deleting nothing, except that the
   * logout says the session existed. A copy given up on (writers kept changing the old key, or a crash) expires
   * with the session's expiry of the time; a repeat of the request replaces it.
   */
  async moveTo(
    key: Buffer,
    fresh: Buffer,
    now: number,
    lifetime: number,
    check: (record: Buffer) => void,
  ): Promise<boolean> {
    const oldKey = this.redisKey(key);
    const freshKey = this.redisKey(fresh);
    let stale: Buffer | undefined;
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const record = await this.read(key);
      const header = record === null ? null : readHeader(record);
      if (record === null) return false;
      if (header === null) throw new CorruptRecordError("record header is malformed");
      if (isDead(header, now, lifetime)) return false;
      check(record);
      const placed = await this.link.run(
        STRING_PLACE_COPY,
        [freshKey],
        [record, String(header.expiresAt), stale ?? ""],
      );
      if (Buffer.isBuffer(placed)) {
        stale = placed;
        continue;
      }
      if ((await this.link.run(STRING_DELETE_IF_UNCHANGED, [oldKey], [record])) === 1) return true;
      stale = record;
    }
    throw new ConcurrentModificationError();
  }
}

/** A GET-like reply as a record. */
export function asRecord(reply: RedisReply): Buffer | null {
  return Buffer.isBuffer(reply) ? reply : null;
}

/** An MGET-like reply as `count` records (nil elements: no record). */
export function asRecords(reply: RedisReply, count: number): (Buffer | null)[] {
  if (!Array.isArray(reply) || reply.length !== count) throw new BackendError("unexpected batch reply");
  return reply.map(asRecord);
}
