/**
 * What a repository holds besides its strategy: the store's settings, codecs, clock and observer, and the checks
 * and conversions both strategies need (keys, TTLs, conditions, payloads, record headers). Also the observer and
 * dependency types its callers pass in.
 */

import type { CodecName } from "../codec/codec.js";
import { type StoreCodecs, storeCodecs } from "../codec/codec-set.js";
import type { StoreConfig } from "../config/config-schema.js";
import { CorruptRecordError, InvalidArgumentError, SessionStoreError, TtlOutOfRangeError } from "./errors.js";
import { isDead, payloadOf, type RecordHeader, readHeader, VERSION_MAX } from "./records/record.js";
import { describeMalformedKey, parseSessionKey } from "./records/session-key.js";
import {
  decompressPayload,
  type EncodedPayload,
  encodePayload,
  type PayloadSettings,
  type SessionDataReader,
} from "./records/session-payload.js";
import type { ConnectionObserver } from "./redis/redis-connection.js";
import type { RedisLink } from "./redis/redis-link.js";
import {
  type SaveCondition,
  type Session,
  type SessionDataInput,
  type SessionStamp,
  sessionOf,
  stampOf,
} from "./session.js";
import type { SweepReport } from "./session-repository.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";
import { CONDITION_ARG } from "./strategies/lua/record-lua.js";
import type { TouchArgs } from "./strategies/store-strategy.js";

/** The sizes of one stored session's payload. */
export interface PayloadSizes {
  /** The codec that encoded the stored payload: `none` when it was stored plain (small or incompressible). */
  readonly codec: CodecName;
  /** The session's JSON. */
  readonly jsonBytes: number;
  /** The payload as stored, after the codec. */
  readonly payloadBytes: number;
  /** The whole record as stored (header and payload), without the Redis key or field. */
  readonly recordBytes: number;
}

/**
 * Receives what happens in the stores, as domain events (metrics); knows nothing of how they are counted. Every
 * method is optional and must not throw. Stores are named as in the configuration.
 */
export interface StoreObserver extends ConnectionObserver {
  /**
   * A save ended: `result` is `ok`, or the failure's {@link SessionStoreError.code} (`conflict` for a refused
   * expected-version save, `already_exists`, `not_found`, …), or `error` for anything else. Every save counts,
   * including the must-create save behind a `create`.
   */
  saved?(store: string, condition: SaveCondition["kind"], result: string): void;
  /** A session came into being: a save of any condition stored version 1. */
  created?(store: string): void;
  /** A save stored a record of these sizes. */
  stored?(store: string, sizes: PayloadSizes): void;
  /** A delete removed a live session. */
  deleted?(store: string): void;
  /** A session moved to a fresh key. */
  rotated?(store: string): void;
  /**
   * Redis refused one of the store's commands because it is out of memory (`BackendFullError`): a save, touch or
   * rotation that wrote nothing. Reported for every refusal, including the touch of a read with `touch`, which
   * then answers the session with its expiry unslid.
   */
  backendFull?(store: string): void;
  /**
   * A sweep of a hash store ended. Repositories do not report this themselves: whoever runs sweeps (the sweep
   * scheduler, the PurgeExpired handler) calls it with the sweep's report.
   */
  swept?(store: string, report: SweepReport): void;
}

/** What a repository needs besides its configuration and its Redis link. */
export interface RepositoryDependencies {
  /**
   * Receives redacted reports of malformed keys (when the store's `logKeyErrors` is on) and, at most once per
   * interval, of writes refused by a full Redis. Default: silent.
   */
  readonly logger?: StoreLogger;
  /**
   * Milliseconds since the Unix epoch: session times, and the interval of the "Redis is full" log. Default:
   * `Date.now`. Tests move it to expire sessions.
   */
  readonly clock?: () => number;
  /** Receives store and connection events. Default: none. */
  readonly observer?: StoreObserver;
}

/**
 * What both strategies share: validation of everything from outside before any Redis call, payload encoding,
 * and the clock. Strategies differ only in where a record lives.
 */
export class StoreContext {
  /** The store's codecs, resolved from its configuration (its dictionaries included) once. */
  readonly codecs: StoreCodecs;
  readonly payload: PayloadSettings;
  /** Absolute lifetime in seconds; 0 when unlimited (as the scripts expect it). */
  readonly lifetime: number;
  readonly observer: StoreObserver;
  private readonly logger: StoreLogger;
  private readonly clock: () => number;

  constructor(
    readonly config: StoreConfig,
    readonly link: RedisLink,
    dependencies: RepositoryDependencies = {},
  ) {
    this.codecs = storeCodecs(config);
    this.payload = {
      codec: this.codecs.writer,
      compressMinBytes: config.compressMinBytes,
      maxSessionBytes: config.maxSessionBytes,
      maxDataDepth: config.maxDataDepth,
    };
    this.lifetime = config.maxLifetime;
    this.logger = dependencies.logger ?? silentLogger;
    this.clock = dependencies.clock ?? Date.now;
    this.observer = dependencies.observer ?? {};
  }

  /** Now, in whole Unix seconds, the resolution of record times. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /**
   * The raw bytes of a client's key; a malformed key is refused (and logged redacted if configured).
   *
   * @param position - the key's index in a list of keys, if it is one.
   */
  keyBytes(key: string, position?: number): Buffer {
    try {
      return parseSessionKey(key, position);
    } catch (error) {
      if (this.config.logKeyErrors) {
        this.logger.warn(
          // Not under `key`: the logger redacts that field whole, and this description is safe by construction.
          { store: this.config.name, malformedKey: describeMalformedKey(String(key)) },
          "malformed session key",
        );
      }
      throw error;
    }
  }

  /**
   * The scripts' arguments for a write that sets an expiry, with `ttl` validated: whole seconds from 1 to the
   * store's `maxTtl`, or undefined (the session keeps its own idle TTL; a new one gets the store's default).
   */
  expiryArgs(ttl: number | undefined): TouchArgs {
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > this.config.maxTtl)) {
      throw new TtlOutOfRangeError(this.config.maxTtl);
    }
    return {
      now: this.now(),
      ttl: ttl ?? 0,
      defaultTtl: this.config.defaultTtl,
      maxTtl: this.config.maxTtl,
      lifetime: this.lifetime,
    };
  }

  /** The condition and expected version as the save scripts take them. */
  conditionArgs(condition: SaveCondition = { kind: "upsert" }): [string, string] {
    if (condition.kind !== "version") return [CONDITION_ARG[condition.kind], "0"];
    const { expected } = condition;
    if (!Number.isInteger(expected) || expected < 1 || expected > VERSION_MAX) {
      throw new InvalidArgumentError(
        "expectedVersion",
        `expected version must be a whole number from 1 to ${VERSION_MAX}`,
      );
    }
    return [CONDITION_ARG.version, String(expected)];
  }

  encode(data: SessionDataInput): EncodedPayload {
    return encodePayload(data, this.payload);
  }

  /** Reports a save that stored `payload` as `version`, behind a header of `headerBytes`. */
  reportSaved(
    condition: SaveCondition["kind"],
    payload: EncodedPayload,
    version: number,
    headerBytes: number,
  ): void {
    const store = this.config.name;
    this.observer.saved?.(store, condition, "ok");
    if (version === 1) this.observer.created?.(store);
    this.observer.stored?.(store, {
      codec: this.codecs.byId(payload.codecId)?.name ?? "none",
      jsonBytes: payload.jsonBytes,
      payloadBytes: payload.payload.byteLength,
      recordBytes: headerBytes + payload.payload.byteLength,
    });
  }

  /** Reports a save that failed with `error`. */
  reportSaveFailed(condition: SaveCondition["kind"], error: unknown): void {
    const result = error instanceof SessionStoreError ? error.code : "error";
    this.observer.saved?.(this.config.name, condition, result);
  }

  /**
   * The session in a stored record, or `null` when the record has expired by now (a strategy may not have
   * removed it yet: Redis' clock and ours can differ, and hash fields expire only when read or swept).
   */
  decode<D>(key: string, record: Buffer, read: SessionDataReader<D>): Session<D> | null {
    const header = headerOf(record);
    if (isDead(header, this.now(), this.lifetime)) return null;
    return this.sessionIn(key, header, record, read);
  }

  /**
   * The session in a record that a script has just judged live (after a touch or a rotation), whatever the
   * clock says now: a second boundary passed since must not turn a session the script kept into "missing".
   */
  decodeLive<D>(key: string, record: Buffer, read: SessionDataReader<D>): Session<D> {
    return this.sessionIn(key, headerOf(record), record, read);
  }

  /**
   * The version and times of the session in a stored record, without decoding its payload, or `null` when it has
   * expired by now.
   */
  stampIn(key: string, record: Buffer): SessionStamp | null {
    const header = headerOf(record);
    if (isDead(header, this.now(), this.lifetime)) return null;
    return stampOf(key, header, this.idleTtl(header));
  }

  private sessionIn<D>(
    key: string,
    header: RecordHeader,
    record: Buffer,
    read: SessionDataReader<D>,
  ): Session<D> {
    const json = decompressPayload(
      header.codecId,
      payloadOf(record, header),
      this.config.maxSessionBytes,
      this.codecs,
    );
    return sessionOf(key, read(json, this.config.maxDataDepth), header, this.idleTtl(header));
  }

  /** The idle TTL a session with this header has now, as the scripts resolve it. */
  private idleTtl(header: RecordHeader): number {
    return Math.min(header.idleTtl ?? this.config.defaultTtl, this.config.maxTtl);
  }
}

function headerOf(record: Buffer): RecordHeader {
  const header = readHeader(record);
  if (header === null) throw new CorruptRecordError("record header is malformed");
  return header;
}
