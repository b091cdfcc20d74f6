/**
 * The seam between the repository and Redis: the {@link StoreStrategy} interface both strategies implement, and the
 * script arguments of saves and touches, built once for both.
 */

import type { RedisReply } from "../redis/redis-link.js";
import type { Sweeper } from "../session-repository.js";
import type { StatsOptions, StoreStats } from "../stats/store-stats.js";

/** What every write of an expiry needs: the clock, the TTL asked for, and the store's TTL settings. */
export interface TouchArgs {
  readonly now: number;
  /** The TTL the call asked for, in seconds; 0 when it gave none (the session keeps its own idle TTL). */
  readonly ttl: number;
  /** The store's `defaultTtl`: the idle TTL of a session that has none of its own. */
  readonly defaultTtl: number;
  /** The store's `maxTtl`: no expiry is set further than this from now. */
  readonly maxTtl: number;
  /** Absolute lifetime in seconds, 0 for none. */
  readonly lifetime: number;
}

/** The arguments of a conditional save, as every strategy's save script takes them. */
export interface SaveArgs {
  readonly expiry: TouchArgs;
  /** The condition as the scripts spell it (`CONDITION_ARG`). */
  readonly condition: string;
  /** The expected version for a `version` condition, else "0". */
  readonly expected: string;
  readonly codecId: number;
  readonly payload: Buffer;
}

// Arrays built in place, not spread from one another: this runs on every save and touch.

/** The arguments that begin both a save's and a touch's; the scripts read them with record-lua.ts's `expiry_args`. */
function expiryArgv(args: TouchArgs): (string | Buffer)[] {
  return [
    String(args.now),
    String(args.ttl),
    String(args.defaultTtl),
    String(args.maxTtl),
    String(args.lifetime),
  ];
}

/** The script arguments (after the key or field) of a touch, in the order both strategies' scripts read them. */
export function touchArgv(args: TouchArgs, withValue: boolean): (string | Buffer)[] {
  const argv = expiryArgv(args);
  argv.push(withValue ? "1" : "0");
  return argv;
}

/** The script arguments (after the key or field) of a save, in the order both strategies' scripts read them. */
export function saveArgv(args: SaveArgs): (string | Buffer)[] {
  const argv = expiryArgv(args.expiry);
  argv.push(args.condition, args.expected, String(args.codecId), args.payload);
  return argv;
}

/**
 * Where a store keeps its records: one Redis String per session, or fields of Redis Hash buckets. A strategy only
 * moves bytes; validation, encoding and decoding happen once, above it, for both.
 *
 * Script replies follow `record-lua.ts`: `{0, version, created, expires, idle ttl, ...}` or a refusal status.
 */
export interface StoreStrategy {
  /** The stored record under `key`, or `null`. May remove an expired one. Corrupt records are returned as is. */
  read(key: Buffer, now: number, lifetime: number): Promise<Buffer | null>;
  /**
   * The stored records under `keys`, in order, each as {@link StoreStrategy.read} would return it, in one Redis
   * command for the whole batch (the round trip and the per-command cost are paid once, not per session).
   */
  readMany(keys: readonly Buffer[], now: number, lifetime: number): Promise<(Buffer | null)[]>;
  /** Runs the conditional save. */
  save(key: Buffer, args: SaveArgs): Promise<RedisReply>;
  /** Rewrites the expiry of a live record; with `withValue`, also returns the record. */
  touch(key: Buffer, args: TouchArgs, withValue: boolean): Promise<RedisReply>;
  /** Removes the record; whether a live (or corrupt) one was there. */
  delete(key: Buffer, now: number, lifetime: number): Promise<boolean>;
  /**
   * Moves a live record to a fresh key, removes the old one, and answers the fresh key. `check` sees the record
   * before anything moves and throws (a `CorruptRecordError`) to leave it where it is: a record that cannot be
   * decoded must not be moved under a key nobody is told. Only the bytes `check` saw last are moved.
   *
   * @throws {SessionNotFoundError | CorruptRecordError | VersionConflictError}
   */
  rotate(key: Buffer, now: number, lifetime: number, check: (record: Buffer) => void): Promise<Buffer>;
  /** A fresh key that {@link StoreStrategy.moveTo} can move `key`'s record to (the hash strategy: same bucket). */
  drawKeyFor(key: Buffer): Buffer;
  /**
   * As {@link StoreStrategy.rotate}, to `fresh` (from {@link StoreStrategy.drawKeyFor}), which attempts of one
   * remembered request share: several may run at once or one after another, each finding what the others did,
   * and together they move the record once. Answers true when this call moved it, false when there is no live
   * record under `key` (never was, deleted, or moved by another attempt: the caller then reads `fresh`).
   *
   * @throws {CorruptRecordError | ConcurrentModificationError | BackendError}
   */
  moveTo(
    key: Buffer,
    fresh: Buffer,
    now: number,
    lifetime: number,
    check: (record: Buffer) => void,
  ): Promise<boolean>;
  /** What the store looks like in Redis: its sessions, their sizes, and advice on its layout. */
  stats(options?: StatsOptions): Promise<StoreStats>;
  /**
   * What deletes expired records that Redis keeps (hash fields cannot expire), judging them by `now` (Unix
   * seconds); null when Redis expires them itself.
   */
  sweeper(now: () => number): Sweeper | null;
}
