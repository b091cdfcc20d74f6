import { codecByName } from "../codec/codec-registry.js";
import type { StoreConfig } from "../config/config-schema.js";
import { CorruptRecordError, InvalidArgumentError } from "./errors.js";
import { CONDITION_ARG } from "./lua/record-lua.js";
import { payloadOf, type RecordHeader, readHeader, UINT32_MAX } from "./record.js";
import type { RedisLink } from "./redis-link.js";
import { type JsonObject, type SaveCondition, type Session, stampOf } from "./session.js";
import { describeMalformedKey, parseSessionKey } from "./session-key.js";
import {
  decodePayload,
  type EncodedPayload,
  encodePayload,
  type PayloadSettings,
} from "./session-payload.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";

/** What a repository needs besides its configuration and its Redis link. */
export interface RepositoryDependencies {
  /** Receives redacted reports of malformed keys (when the store's `logKeyErrors` is on). Default: silent. */
  readonly logger?: StoreLogger;
  /** Milliseconds since the Unix epoch. Default: `Date.now`. Tests move it to expire sessions. */
  readonly clock?: () => number;
}

/**
 * What both strategies share: validation of everything from outside before any Redis call, payload encoding,
 * and the clock. Strategies differ only in where a record lives.
 */
export class StoreContext {
  readonly payload: PayloadSettings;
  /** Absolute lifetime in seconds; 0 when unlimited (as the scripts expect it). */
  readonly lifetime: number;
  private readonly logger: StoreLogger;
  private readonly clock: () => number;

  constructor(
    readonly config: StoreConfig,
    readonly link: RedisLink,
    dependencies: RepositoryDependencies = {},
  ) {
    this.payload = {
      codec: codecByName(config.codec),
      compressMinBytes: config.compressMinBytes,
      maxSessionBytes: config.maxSessionBytes,
    };
    this.lifetime = config.maxLifetime;
    this.logger = dependencies.logger ?? silentLogger;
    this.clock = dependencies.clock ?? Date.now;
  }

  /** Now, in whole Unix seconds, the resolution of record times. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** The raw bytes of a client's key; a malformed key is refused (and logged redacted if configured). */
  keyBytes(key: string): Buffer {
    try {
      return parseSessionKey(key);
    } catch (error) {
      if (this.config.logKeyErrors) {
        this.logger.warn(
          { store: this.config.name, key: describeMalformedKey(String(key)) },
          "malformed session key",
        );
      }
      throw error;
    }
  }

  /** A validated TTL in seconds, the store's default when absent. */
  ttl(ttl: number | undefined): number {
    if (ttl === undefined) return this.config.defaultTtl;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > this.config.maxTtl) {
      throw new InvalidArgumentError(`ttl must be a whole number of seconds from 1 to ${this.config.maxTtl}`);
    }
    return ttl;
  }

  /** The condition and expected version as the save scripts take them. */
  conditionArgs(condition: SaveCondition = { kind: "upsert" }): [string, string] {
    if (condition.kind !== "version") return [CONDITION_ARG[condition.kind], "0"];
    const { expected } = condition;
    if (!Number.isInteger(expected) || expected < 1 || expected > UINT32_MAX) {
      throw new InvalidArgumentError(`expected version must be a whole number from 1 to ${UINT32_MAX}`);
    }
    return [CONDITION_ARG.version, String(expected)];
  }

  encode(data: JsonObject): EncodedPayload {
    return encodePayload(data, this.payload);
  }

  /**
   * The session in a stored record, or `null` when the record has expired by now (a strategy may not have
   * removed it yet: Redis' clock and ours can differ, and hash fields expire only when read or swept).
   */
  decode(key: string, record: Buffer): Session | null {
    const header = headerOf(record);
    const now = this.now();
    const lifetimeEnd = this.lifetime > 0 ? header.createdAt + this.lifetime : Number.POSITIVE_INFINITY;
    if (header.expiresAt <= now || lifetimeEnd <= now) return null;
    return this.decodeLive(key, record);
  }

  /**
   * The session in a record that a script has just judged live (after a touch or a rotation), whatever the
   * clock says now: a second boundary passed since must not turn a session the script kept into "missing".
   */
  decodeLive(key: string, record: Buffer): Session {
    const header = headerOf(record);
    const data = decodePayload(header.codecId, payloadOf(record), this.config.maxSessionBytes);
    return { ...stampOf(key, header.version, header.createdAt, header.expiresAt), data };
  }
}

function headerOf(record: Buffer): RecordHeader {
  const header = readHeader(record);
  if (header === null) throw new CorruptRecordError("record header is malformed");
  return header;
}
