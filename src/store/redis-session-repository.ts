/**
 * The one implementation of the repository contract. It validates every call before Redis sees it and encodes and
 * decodes through the store context; where a record lives is left to the store's strategy (`strategies/`), and so
 * are its stats and its sweeper.
 */

import { BackendFullError, CorruptRecordError, SessionExistsError, SessionNotFoundError } from "./errors.js";
import { formatSessionKey, newSessionKeyBytes } from "./records/session-key.js";
import { type EncodedPayload, parseSessionJson, type SessionDataReader } from "./records/session-payload.js";
import { parseRequestId } from "./requests/request-id.js";
import { RequestMemory } from "./requests/request-memory.js";
import { RetrySafeWrites } from "./requests/retry-safe-writes.js";
import type { JsonObject, SaveCondition, Session, SessionDataInput, SessionStamp } from "./session.js";
import type {
  BatchGetResult,
  CreateOptions,
  GetOptions,
  RotateOptions,
  SaveOptions,
  SessionRepository,
  Sweeper,
  TtlOptions,
} from "./session-repository.js";
import type { StatsOptions, StatsProvider, StoreStats } from "./stats/store-stats.js";
import type { StoreContext } from "./store-context.js";
import { numberFrom, recordFrom, stampFrom } from "./strategies/lua/script-reply.js";
import type { SaveArgs, StoreStrategy } from "./strategies/store-strategy.js";

/** How often `create` draws another key when the drawn one is taken (a 128-bit collision). */
const CREATE_ATTEMPTS = 3;

/** A save's arguments once validated: what the strategy's script takes, and what its report needs. */
interface ValidatedSave {
  readonly kind: SaveCondition["kind"];
  readonly args: SaveArgs;
  readonly encoded: EncodedPayload;
}

/**
 * A {@link SessionRepository} over either strategy. Everything from outside is validated here, before any Redis
 * call; the strategy only moves bytes. What differs between strategies beyond that (stats, a sweeper) is the
 * strategy's too.
 */
export class RedisSessionRepository implements SessionRepository, StatsProvider {
  /** What deletes the store's expired sessions, for a strategy that leaves them in Redis (hash); else null. */
  readonly sweeper: Sweeper | null;
  private readonly retrySafe: RetrySafeWrites;

  constructor(
    private readonly context: StoreContext,
    private readonly strategy: StoreStrategy,
  ) {
    const memory = new RequestMemory(
      context.link,
      Buffer.from(context.config.prefix, "utf8"),
      context.config.requestIdTtl,
    );
    this.retrySafe = new RetrySafeWrites(context, strategy, memory);
    this.sweeper = strategy.sweeper(() => context.now());
  }

  /** What the store looks like in Redis: sessions, sizes, encodings, and advice on its layout. */
  stats(options?: StatsOptions): Promise<StoreStats> {
    return this.strategy.stats(options);
  }

  /** The store's `maxSessionBytes`: the most bytes of JSON a session's data may make. */
  get maxSessionBytes(): number {
    return this.context.payload.maxSessionBytes;
  }

  async create<D extends SessionDataInput = JsonObject>(
    data: D = {} as D,
    options: CreateOptions = {},
  ): Promise<Session<D>> {
    if (options.requestId !== undefined) {
      const id = parseRequestId(options.requestId);
      const save = this.validatedOrReported(data, options.ttl, { kind: "mustCreate" });
      const stamp = await this.retrySafe.create(id, options.ttl, data, (key) =>
        this.commit(formatSessionKey(key), key, save),
      );
      return { ...stamp, data };
    }
    for (let attempt = 1; ; attempt++) {
      const key = formatSessionKey(newSessionKeyBytes());
      try {
        return await this.save(key, data, { ttl: options.ttl, condition: { kind: "mustCreate" } });
      } catch (error) {
        if (!(error instanceof SessionExistsError) || attempt >= CREATE_ATTEMPTS) throw error;
      }
    }
  }

  get(key: string, options?: GetOptions): Promise<Session | null>;
  get<D>(key: string, options: GetOptions, read: SessionDataReader<D>): Promise<Session<D> | null>;
  async get(
    key: string,
    options: GetOptions = {},
    read: SessionDataReader<unknown> = parseSessionJson,
  ): Promise<Session<unknown> | null> {
    const keyBytes = this.context.keyBytes(key);
    if (options.touch) {
      const args = this.context.expiryArgs(options.ttl);
      try {
        const reply = await this.strategy.touch(keyBytes, args, true);
        // The record carries the expiry from before the touch; the reply carries the new one.
        return { ...this.context.decodeLive(key, recordFrom(reply, 5), read), ...stampFrom(key, reply) };
      } catch (error) {
        if (error instanceof SessionNotFoundError) return null;
        // A full Redis refuses the touch's rewrite, not the read: answer the session with the expiry it keeps
        // (the reply says so) rather than fail every read of a logged-in user. The refusal is counted and logged.
        if (!(error instanceof BackendFullError)) throw error;
      }
    }
    const record = await this.strategy.read(keyBytes, this.context.now(), this.context.lifetime);
    return record === null ? null : this.context.decode(key, record, read);
  }

  getMany(keys: readonly string[]): Promise<BatchGetResult>;
  getMany<D>(keys: readonly string[], read: SessionDataReader<D>): Promise<BatchGetResult<D>>;
  async getMany(
    keys: readonly string[],
    read: SessionDataReader<unknown> = parseSessionJson,
  ): Promise<BatchGetResult<unknown>> {
    // Each distinct key once, checked where it first occurs: a malformed one is reported at its index in `keys`.
    const distinct = new Map<string, Buffer>();
    keys.forEach((key, position) => {
      if (!distinct.has(key)) distinct.set(key, this.context.keyBytes(key, position));
    });
    const unique = [...distinct.keys()];
    const keyBytes = [...distinct.values()];
    const now = this.context.now();
    const records = await this.strategy.readMany(keyBytes, now, this.context.lifetime);
    const result: BatchGetResult<unknown> = { found: [], missing: [], corrupt: [] };
    unique.forEach((key, index) => {
      const record = records[index] ?? null;
      try {
        const session = record === null ? null : this.context.decode(key, record, read);
        if (session === null) result.missing.push(key);
        else result.found.push(session);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        result.corrupt.push(key);
      }
    });
    return result;
  }

  async save<D extends SessionDataInput>(
    key: string,
    data: D,
    options: SaveOptions = {},
  ): Promise<Session<D>> {
    let keyBytes: Buffer;
    let save: ValidatedSave;
    try {
      keyBytes = this.context.keyBytes(key);
      save = this.validated(data, options.ttl, options.condition);
    } catch (error) {
      this.context.reportSaveFailed(options.condition?.kind ?? "upsert", error);
      throw error;
    }
    return { ...(await this.commit(key, keyBytes, save)), data };
  }

  /** Checks a save's TTL, condition and data, and encodes the data: nothing goes to Redis before this passes. */
  private validated(
    data: SessionDataInput,
    ttl: number | undefined,
    condition?: SaveCondition,
  ): ValidatedSave {
    const expiry = this.context.expiryArgs(ttl);
    const [conditionArg, expected] = this.context.conditionArgs(condition);
    const encoded = this.context.encode(data);
    // The expiry nested, not spread into this object: a spread here cost several microseconds a save.
    const args = {
      expiry,
      condition: conditionArg,
      expected,
      codecId: encoded.codecId,
      payload: encoded.payload,
    };
    return { kind: condition?.kind ?? "upsert", args, encoded };
  }

  /** As {@link validated}, a refusal reported as a failed save. */
  private validatedOrReported(
    data: SessionDataInput,
    ttl: number | undefined,
    condition: SaveCondition,
  ): ValidatedSave {
    try {
      return this.validated(data, ttl, condition);
    } catch (error) {
      this.context.reportSaveFailed(condition.kind, error);
      throw error;
    }
  }

  /** Runs a validated save at `key`, and reports how it ended. */
  private async commit(key: string, keyBytes: Buffer, save: ValidatedSave): Promise<SessionStamp> {
    try {
      const reply = await this.strategy.save(keyBytes, save.args);
      const stamp = stampFrom(key, reply);
      this.context.reportSaved(save.kind, save.encoded, stamp.version, numberFrom(reply, 5));
      return stamp;
    } catch (error) {
      this.context.reportSaveFailed(save.kind, error);
      throw error;
    }
  }

  async touch(key: string, options: TtlOptions = {}): Promise<SessionStamp> {
    const keyBytes = this.context.keyBytes(key);
    return stampFrom(key, await this.strategy.touch(keyBytes, this.context.expiryArgs(options.ttl), false));
  }

  async delete(key: string): Promise<boolean> {
    const existed = await this.strategy.delete(
      this.context.keyBytes(key),
      this.context.now(),
      this.context.lifetime,
    );
    if (existed) this.context.observer.deleted?.(this.context.config.name);
    return existed;
  }

  rotate(key: string): Promise<Session>;
  rotate<D>(key: string, read: SessionDataReader<D>, options?: RotateOptions): Promise<Session<D>>;
  async rotate(
    key: string,
    read: SessionDataReader<unknown> = parseSessionJson,
    options: RotateOptions = {},
  ): Promise<Session<unknown>> {
    if (options.requestId !== undefined) {
      const keyBytes = this.context.keyBytes(key);
      return this.retrySafe.rotate(parseRequestId(options.requestId), keyBytes, read);
    }
    let session: Session<unknown> | undefined;
    const moved = await this.strategy.rotate(
      this.context.keyBytes(key),
      this.context.now(),
      this.context.lifetime,
      // Decoded before it moves, with the caller's reader: a record that cannot be read stays under the key the
      // caller knows, and once it has moved nothing is left that could fail and lose the new key. A strategy moves
      // only the bytes it last checked, so this session is the moved one.
      (record) => {
        session = this.context.decodeLive(key, record, read);
      },
    );
    this.context.observer.rotated?.(this.context.config.name);
    // Unreachable while strategies keep their contract (`check` sees every record before it moves).
    if (session === undefined) throw new Error("rotation moved a record it never checked");
    return { ...session, key: formatSessionKey(moved) };
  }
}
