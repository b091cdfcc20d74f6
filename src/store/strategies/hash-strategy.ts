/**
 * The hash strategy: sessions packed as fields of Redis Hash buckets, far fewer bytes a session while buckets stay
 * listpacks. Redis 7.0 cannot expire a field, so each record carries its expiry and the store has a sweeper.
 */

import { BackendError, ConcurrentModificationError, SessionNotFoundError } from "../errors.js";
import { isDead, readHeader } from "../records/record.js";
import { newSessionKeyBytes } from "../records/session-key.js";
import type { RedisLink, RedisReply } from "../redis/redis-link.js";
import { hashStoreStats } from "../stats/hash-stats.js";
import type { StatsOptions, StoreStats } from "../stats/store-stats.js";
import { BucketSweeper } from "../sweep/bucket-sweeper.js";
import type { BucketLayout } from "./bucket-layout.js";
import {
  HASH_DELETE,
  HASH_GET,
  HASH_GET_MANY,
  HASH_ROTATE,
  HASH_SAVE,
  HASH_TOUCH,
} from "./lua/hash-scripts.js";
import { ScriptStatus } from "./lua/record-lua.js";
import { okReply } from "./lua/script-reply.js";
import { type SaveArgs, type StoreStrategy, saveArgv, type TouchArgs, touchArgv } from "./store-strategy.js";
import { asRecord, asRecords } from "./string-strategy.js";

/** Most keys one HASH_GET_MANY reads: its bucket indexes are uint16. */
const MAX_KEYS_PER_READ = 0xffff;

/** How often a rotation draws a new key when the drawn field is taken (a 112-bit collision). */
const ROTATE_ATTEMPTS = 3;

/**
 * Sessions as fields of `2^bucketBits` Redis Hashes. Many small sessions share one listpack-encoded Hash, far
 * fewer bytes per session than a String each. Redis 7.0 cannot expire a field, so expiry lives in the record
 * header: every script ignores and deletes an expired field it meets, and the sweep removes the rest.
 */
export class HashStrategy implements StoreStrategy {
  constructor(
    private readonly link: RedisLink,
    readonly layout: BucketLayout,
  ) {}

  /**
   * A plain HGET: a twentieth of the script's cost inside Redis. Only a record found dead goes through
   * HASH_GET, which deletes it atomically with its own check (and answers the live record a writer may have
   * saved in between).
   */
  async read(key: Buffer, now: number, lifetime: number): Promise<Buffer | null> {
    const record = asRecord(
      await this.link.command(["HGET", this.layout.bucketOf(key), this.layout.fieldOf(key)]),
    );
    const header = record === null ? null : readHeader(record);
    // A record without a readable header is returned as it is, for the caller to report corrupt.
    if (header === null || !isDead(header, now, lifetime)) return record;
    return asRecord(await this.run(HASH_GET, key, [String(now), String(lifetime)]));
  }

  /**
   * One script over every bucket the keys fall in (each bucket named once); beyond {@link MAX_KEYS_PER_READ}
   * keys, one script per slice of that many.
   */
  async readMany(keys: readonly Buffer[], now: number, lifetime: number): Promise<(Buffer | null)[]> {
    if (keys.length <= MAX_KEYS_PER_READ) return this.readSlice(keys, now, lifetime);
    const records: (Buffer | null)[] = [];
    for (let from = 0; from < keys.length; from += MAX_KEYS_PER_READ) {
      records.push(...(await this.readSlice(keys.slice(from, from + MAX_KEYS_PER_READ), now, lifetime)));
    }
    return records;
  }

  private async readSlice(
    keys: readonly Buffer[],
    now: number,
    lifetime: number,
  ): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    const buckets: Buffer[] = [];
    const bucketIndex = new Map<string, number>();
    const fieldBytes = this.layout.fieldBytes;
    const stride = 2 + fieldBytes;
    // Each session as its bucket's index into KEYS (1-based, as Lua indexes) and its field: see HASH_GET_MANY.
    const wanted = Buffer.allocUnsafe(keys.length * stride);
    keys.forEach((key, i) => {
      const bucket = this.layout.bucketOf(key);
      const name = bucket.toString("latin1");
      let index = bucketIndex.get(name);
      if (index === undefined) {
        index = buckets.push(bucket);
        bucketIndex.set(name, index);
      }
      wanted.writeUInt16BE(index, i * stride);
      this.layout.fieldOf(key).copy(wanted, i * stride + 2);
    });
    const reply = await this.link.run(HASH_GET_MANY, buckets, [
      String(now),
      String(lifetime),
      String(fieldBytes),
      wanted,
    ]);
    return asRecords(reply, keys.length);
  }

  save(key: Buffer, args: SaveArgs): Promise<RedisReply> {
    return this.run(HASH_SAVE, key, saveArgv(args));
  }

  touch(key: Buffer, args: TouchArgs, withValue: boolean): Promise<RedisReply> {
    return this.run(HASH_TOUCH, key, touchArgv(args, withValue));
  }

  async delete(key: Buffer, now: number, lifetime: number): Promise<boolean> {
    return (await this.run(HASH_DELETE, key, [String(now), String(lifetime)])) === 1;
  }

  /**
   * The record is read (and checked) first, then moved by one script only if the field still holds exactly those
   * bytes; if a writer changed it meanwhile the rotation starts over. The new key is drawn in the same bucket (it
   * keeps at least 112 unknown bits).
   */
  async rotate(key: Buffer, now: number, lifetime: number, check: (record: Buffer) => void): Promise<Buffer> {
    let fieldTaken = false;
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const record = await this.read(key, now, lifetime);
      if (record === null) throw new SessionNotFoundError("no live session under this key");
      check(record);
      const fresh = this.layout.sameBucketKey(key, newSessionKeyBytes());
      const reply = await this.run(HASH_ROTATE, key, [
        this.layout.fieldOf(fresh),
        String(now),
        String(lifetime),
        record,
      ]);
      fieldTaken = Array.isArray(reply) && reply[0] === ScriptStatus.exists;
      if (fieldTaken || (Array.isArray(reply) && reply[0] === ScriptStatus.conflict)) continue;
      okReply(reply);
      return fresh;
    }
    if (fieldTaken) throw new BackendError("could not draw a free key in the bucket");
    throw new ConcurrentModificationError();
  }

  /** Bucket fill and sizes, counted (or sampled, past 65,536 buckets) without reading a value. */
  stats(options?: StatsOptions): Promise<StoreStats> {
    return hashStoreStats(this.link, this.layout, options);
  }

  /** Sweeps the buckets in order: expired fields stay in them until read or swept. */
  sweeper(now: () => number): BucketSweeper {
    return new BucketSweeper(this.link, this.layout, now);
  }

  /** A fresh key for a rotation of `key`: random, but in the same bucket, so that one script can move it. */
  drawKeyFor(key: Buffer): Buffer {
    return this.layout.sameBucketKey(key, newSessionKeyBytes());
  }

  /**
   * Moves the session to `fresh`, a key a remembered request fixed (drawn by {@link HashStrategy.drawKeyFor}): the
   * move is one script, so attempts of the same request sharing the key cannot interleave with it. Answers false
   * when there is no live session under `key` (never was, deleted, or moved already by another attempt).
   */
  async moveTo(
    key: Buffer,
    fresh: Buffer,
    now: number,
    lifetime: number,
    check: (record: Buffer) => void,
  ): Promise<boolean> {
    // Only if the store's bucketBits changed between two attempts, which loses every stored session anyway.
    if (!this.layout.bucketOf(fresh).equals(this.layout.bucketOf(key))) {
      throw new BackendError("the remembered rotation's key is in another bucket");
    }
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const record = await this.read(key, now, lifetime);
      if (record === null) return false;
      check(record);
      const reply = await this.run(HASH_ROTATE, key, [
        this.layout.fieldOf(fresh),
        String(now),
        String(lifetime),
        record,
      ]);
      const status = Array.isArray(reply) ? reply[0] : undefined;
      if (status === ScriptStatus.conflict) continue;
      if (status === ScriptStatus.missing) return false;
      // Taken while the old key is live: a 112-bit collision with another session; never overwrite it.
      if (status === ScriptStatus.exists) throw new BackendError("the rotation's new key is taken");
      okReply(reply);
      return true;
    }
    throw new ConcurrentModificationError();
  }

  /** Runs a per-session script: KEYS = [bucket], ARGV = [field, ...args]. */
  private run(script: Parameters<RedisLink["run"]>[0], key: Buffer, args: (string | Buffer)[]) {
    return this.link.run(script, [this.layout.bucketOf(key)], [this.layout.fieldOf(key), ...args]);
  }
}
