/**
 * The store's contract with its callers: the {@link SessionRepository} interface with its options and results, and
 * the {@link Sweeper} of a store whose expired sessions wait in Redis to be swept. The server and the CLI code
 * against these; `redis-session-repository.ts` implements them.
 */

import type { SessionDataReader } from "./records/session-payload.js";
import type { JsonObject, SaveCondition, Session, SessionDataInput, SessionStamp } from "./session.js";
import type { BucketLayout } from "./strategies/bucket-layout.js";

/** Options of calls that set an expiry. */
export interface TtlOptions {
  /**
   * Seconds from now until the session expires: an integer from 1 to the store's `maxTtl`. Default: the store's
   * `defaultTtl`. The expiry never passes the session's absolute lifetime (`maxLifetime` after creation).
   */
  readonly ttl?: number;
}

/**
 * Options of the calls a retry could repeat with a different effect (create, rotate): Google's AIP-155 request id.
 */
export interface RequestOptions {
  /**
   * A UUID in lowercase hyphenated form (a fresh random one per request; not the nil UUID) that makes the call
   * safe to repeat: a repeat with the same id within the store's `requestIdTtl` answers what the first call did
   * instead of doing it again, and a different request with the same id is refused (`RequestIdReusedError`).
   * Default: none (every call does its work).
   */
  readonly requestId?: string;
}

/** Options of {@link SessionRepository.create}. */
export interface CreateOptions extends TtlOptions, RequestOptions {}

/** Options of {@link SessionRepository.rotate}. */
export interface RotateOptions extends RequestOptions {}

/** Options of {@link SessionRepository.get}. */
export interface GetOptions extends TtlOptions {
  /**
   * Also slide the expiry to now + `ttl`, in the same round trip. Default: false. When Redis is out of memory the
   * touch is skipped (and reported as a refusal): the session is answered with the expiry it keeps.
   */
  readonly touch?: boolean;
}

/** Options of {@link SessionRepository.save}. */
export interface SaveOptions extends TtlOptions {
  /** When the save may write. Default: `{ kind: "upsert" }`. */
  readonly condition?: SaveCondition;
}

/** What {@link SessionRepository.getMany} found. Every distinct requested key is in exactly one list. */
export interface BatchGetResult<D = JsonObject> {
  /** Live sessions, in the order their keys were first requested. */
  readonly found: Session<D>[];
  /** Keys with no live session (never stored, deleted, or expired). */
  readonly missing: string[];
  /** Keys whose stored record could not be decoded. */
  readonly corrupt: string[];
}

/**
 * The sessions of one store.
 *
 * A missing or expired session is a normal answer, never an error: reads answer `null` (or list the key as
 * missing), and an expired session is indistinguishable from one that never existed. Errors are for everything
 * else, and are always a {@link SessionStoreError} subclass:
 * - `InvalidKeyError`, `InvalidArgumentError`, `SessionTooDeepError`, `SessionTooLargeError`: the request was
 *   refused before any Redis call; nothing was read or written. (`RequestIdReusedError`, an
 *   `InvalidArgumentError`, comes after a read of the remembered request; nothing was written.)
 * - `SessionExistsError`, `SessionNotFoundError`, `VersionConflictError`: a save's condition (or a touch's or
 *   rotation's need for a live session) did not hold; nothing was written.
 * - `CorruptRecordError`: the stored value under this key cannot be decoded; it is left in place, and every other
 *   session keeps working.
 * - `BackendFullError`: Redis is out of memory and refused a write (save, touch, rotation); nothing was written.
 *   Reads and deletes keep working (a read with `touch` answers without sliding the expiry).
 * - `BackendUnavailableError`, `BackendError`: Redis failed; a write may or may not have been applied.
 *
 * Every call touches exactly one Redis key (except {@link SessionRepository.getMany}, which reads many in one
 * command, a string-strategy rotation, which must write a second key, and a create or rotation with a
 * `requestId`, which also reads and writes the request's record, one key per step: see `retry-safe-writes.ts`)
 * and runs as one command or one Lua script, so no concurrent writer can interleave with it. (A hash-strategy
 * read that finds its field expired follows with a script that deletes it only if it is still expired.)
 *
 * Keys are 32 lowercase hexadecimal characters; the store makes them, clients only echo them back.
 */
export interface SessionRepository {
  /**
   * Stores `data` (default `{}`) under a fresh key from the CSPRNG; never overwrites anything. With a
   * `requestId`, a repeat answers the key, version and times the first call answered (even if that session has
   * changed or gone since), with the repeat's own `data`.
   */
  create<D extends SessionDataInput = JsonObject>(data?: D, options?: CreateOptions): Promise<Session<D>>;

  /** The live session under `key`, or `null`. With `touch`, its expiry also slides, atomically. */
  get(key: string, options?: GetOptions): Promise<Session | null>;
  /** As {@link get}, the session's data made by `read` from its JSON bytes. */
  get<D>(key: string, options: GetOptions, read: SessionDataReader<D>): Promise<Session<D> | null>;

  /** The live sessions under `keys`. Duplicates are read once. A corrupt record fails only its own key. */
  getMany(keys: readonly string[]): Promise<BatchGetResult>;
  /** As {@link getMany}, each session's data made by `read` from its JSON bytes. */
  getMany<D>(keys: readonly string[], read: SessionDataReader<D>): Promise<BatchGetResult<D>>;

  /**
   * Writes `data` under `key` if `condition` holds, bumping the version (a new session starts at 1) and setting
   * the expiry to now + `ttl`. The creation time of a live session is kept.
   */
  save<D extends SessionDataInput>(key: string, data: D, options?: SaveOptions): Promise<Session<D>>;

  /** Sets a live session's expiry to now + `ttl` without rewriting its data. */
  touch(key: string, options?: TtlOptions): Promise<SessionStamp>;

  /** Removes the session; answers whether a live one was there. Idempotent. */
  delete(key: string): Promise<boolean>;

  /**
   * Moves a live session to a fresh key (anti-fixation, Django's `cycle_key`): same data, version, creation and
   * expiry; the old key is gone when this returns. A record that cannot be decoded is not moved.
   */
  rotate(key: string): Promise<Session>;
  /**
   * As {@link rotate}, the session's data made by `read` from its JSON bytes before the record moves. With a
   * `requestId`, a repeat answers the session under the key the first call moved it to, as it is now (or
   * NOT_FOUND if it is gone), and never moves a session again.
   */
  rotate<D>(key: string, read: SessionDataReader<D>, options?: RotateOptions): Promise<Session<D>>;
}

/** What one sweep did. */
export interface SweepReport {
  /** Buckets examined. */
  readonly bucketsScanned: number;
  /** Fields (sessions) examined. */
  readonly fieldsScanned: number;
  /** Expired fields deleted. */
  readonly fieldsRemoved: number;
  /** Fields too short or malformed to carry an expiry; left in place and counted. */
  readonly corruptFields: number;
  /** The bucket to continue from, or `null` when the sweep reached the last bucket. */
  readonly nextBucket: number | null;
  /** Wall time taken, in milliseconds. */
  readonly elapsedMs: number;
}

/** Options of {@link Sweeper.sweep}. */
export interface SweepOptions {
  /** First bucket to examine. Default: 0. */
  readonly fromBucket?: number;
  /** At most this many buckets (the budget). Default: all remaining buckets. */
  readonly maxBuckets?: number;
  /** Called after each batch of buckets with how many of `total` are done. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the sweep between batches of buckets; the report then says how far it got. */
  readonly signal?: AbortSignal;
}

/**
 * What deletes the expired sessions of a store that keeps them in Redis until swept (the hash strategy; Redis 7.0
 * cannot expire fields). A repository of the string strategy has none: Redis expires its keys itself.
 */
export interface Sweeper {
  /** The store's buckets, which a sweep walks in order. */
  readonly layout: BucketLayout;
  /**
   * Deletes expired sessions bucket by bucket, in bucket order. Values never travel to this process: each bucket
   * is swept by one Lua script comparing the 4-byte expiry prefix inside Redis.
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
}
