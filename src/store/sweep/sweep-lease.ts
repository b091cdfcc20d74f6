/**
 * The sweeper's lease and shared cursor: two small keys per hash store, so that of several replicas sharing a
 * store only one sweeps it at a time, and whichever sweeps next continues where the previous run stopped.
 *
 * Key names are `prefix + 0xFF + "{sweep}lease"` and `prefix + 0xFF + "{sweep}cursor"`. They cannot collide:
 * - with the store's own keys, which are `prefix` followed by exactly 1 to 3 bytes (hash buckets) or exactly 16
 *   bytes (string sessions), while these have 13 and 14 bytes after the prefix;
 * - with another store's keys, since stores on one connection have prefixes neither of which starts the other,
 *   and even if one did, a prefix is UTF-8 text, in which the byte 0xFF never occurs, so no longer prefix can
 *   continue with 0xFF where these keys do.
 * Both keys end in the same `{sweep}` hash tag (after identical bytes), so Redis Cluster puts them in one slot
 * and the cursor can be written in the same script that checks the lease. (A prefix whose first `{` is directly
 * followed by `}` would defeat the tag; Redis then answers CROSSSLOT, reported as a failed run.)
 */

import { randomBytes } from "node:crypto";
import { LuaScript } from "../redis/lua-script.js";
import type { RedisLink } from "../redis/redis-link.js";

/** The two Redis keys of a store's sweeper, derived from the store's key prefix. */
export interface SweepKeys {
  /** A String holding the lease owner's id, with the lease's expiry as its TTL. Absent when nobody sweeps. */
  readonly lease: Buffer;
  /** A String holding the next bucket to sweep, in decimal. Persistent; absent until the first run ends. */
  readonly cursor: Buffer;
}

const SEPARATOR = Buffer.from([0xff]);

/** The sweeper's keys of the store whose keys start with `prefix` (see the module comment for why they are safe). */
export function sweepKeys(prefix: Buffer): SweepKeys {
  return {
    lease: Buffer.concat([prefix, SEPARATOR, Buffer.from("{sweep}lease")]),
    cursor: Buffer.concat([prefix, SEPARATOR, Buffer.from("{sweep}cursor")]),
  };
}

/** A fresh random lease owner id: one per scheduler, so two schedulers in one process never share a lease. */
export function newLeaseOwner(): string {
  return randomBytes(12).toString("hex");
}

/**
 * KEYS: lease. ARGV: owner, lease ms. Takes the lease if nobody holds it (`SET NX PX`). Reply: OK, or nil when
 * it is held. A script only for its `allow-oom` flag: a plain SET is refused when Redis is out of memory, and a
 * hash store's sweep is then what frees it (expired sessions stay until swept), so the few bytes of the lease
 * must be written even then.
 */
const ACQUIRE = new LuaScript(
  "sweep-lease-acquire",
  `#!lua flags=allow-oom
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
`,
);

/** KEYS: lease. ARGV: owner, lease ms. Extends the lease only if it is still ours. Reply: 1 or 0. */
const RENEW = new LuaScript(
  "sweep-lease-renew",
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`,
);

/** KEYS: lease. ARGV: owner. Deletes the lease only if it is still ours. Reply: 1 or 0. */
const RELEASE = new LuaScript(
  "sweep-lease-release",
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`,
);

/**
 * KEYS: lease, cursor. ARGV: owner, lease ms, next bucket. Stores the cursor and extends the lease, only if the
 * lease is still ours: a holder whose lease lapsed (a long pause) must not overwrite the progress of the replica
 * that took over. Reply: 1 or 0. PEXPIRE comes before SET on purpose: once a script without flags has written,
 * Redis lets its further writes through when out of memory, so a sweep of a full Redis still stores its cursor.
 */
const COMMIT = new LuaScript(
  "sweep-lease-commit",
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 1
`,
);

/**
 * One owner's handle on one store's sweep lease. The lease is a Redis key with a TTL: whoever set it sweeps, and
 * a holder that crashes simply lets it expire. Every call is one command or one script, so no other replica can
 * interleave with a check and its write.
 */
export class SweepLease {
  /** The keys this lease uses. */
  readonly keys: SweepKeys;

  constructor(
    private readonly link: RedisLink,
    prefix: Buffer,
    /** This holder's id, stored as the lease's value. */
    readonly owner: string,
    /** How long the lease lasts without renewal, in milliseconds. */
    readonly leaseMs: number,
  ) {
    this.keys = sweepKeys(prefix);
  }

  /**
   * Takes the lease if nobody holds it (`SET NX PX`), even when Redis is out of memory. Answers whether it is now
   * ours.
   */
  async acquire(): Promise<boolean> {
    const reply = await this.link.run(ACQUIRE, [this.keys.lease], [this.owner, String(this.leaseMs)]);
    return reply !== null;
  }

  /** Extends the lease by `leaseMs` from now. Answers false when it is no longer ours (expired or taken). */
  async renew(): Promise<boolean> {
    const reply = await this.link.run(RENEW, [this.keys.lease], [this.owner, String(this.leaseMs)]);
    return reply === 1;
  }

  /** Gives the lease up so another replica need not wait for it to expire. Answers whether it was ours. */
  async release(): Promise<boolean> {
    return (await this.link.run(RELEASE, [this.keys.lease], [this.owner])) === 1;
  }

  /**
   * The stored next bucket, or 0 when none is stored or it is out of range (a store whose `bucketBits` shrank
   * starts over). Read it while holding the lease: only the holder writes it, so it cannot change meanwhile.
   */
  async readCursor(bucketCount: number): Promise<number> {
    const reply = await this.link.command(["GET", this.keys.cursor]);
    const cursor = reply === null ? 0 : Number(String(reply));
    return Number.isSafeInteger(cursor) && cursor >= 0 && cursor < bucketCount ? cursor : 0;
  }

  /** Stores `nextBucket` and renews the lease, atomically, only if still ours. Answers whether it was stored. */
  async commitCursor(nextBucket: number): Promise<boolean> {
    const reply = await this.link.run(
      COMMIT,
      [this.keys.lease, this.keys.cursor],
      [this.owner, String(this.leaseMs), String(nextBucket)],
    );
    return reply === 1;
  }
}
