import { BackendFullError, CorruptRecordError, SessionExistsError, SessionNotFoundError } from "./errors.js";
import { numberFrom, recordFrom, stampFrom } from "./lua/script-reply.js";
import type { RecordStorage } from "./record-storage.js";
import type { JsonObject, Session, SessionDataInput, SessionStamp } from "./session.js";
import { formatSessionKey, newSessionKeyBytes } from "./session-key.js";
import { parseSessionJson, type SessionDataReader } from "./session-payload.js";
import type {
  BatchGetResult,
  GetOptions,
  SaveOptions,
  SessionRepository,
  TtlOptions,
} from "./session-repository.js";
import type { StoreContext } from "./store-context.js";

/** How often `create` draws another key when the drawn one is taken (a 128-bit collision). */
const CREATE_ATTEMPTS = 3;

/**
 * A {@link SessionRepository} over either strategy. Everything from outside is validated here, before any Redis
 * call; the strategy only moves bytes.
 */
export class RedisSessionRepository implements SessionRepository {
  constructor(
    protected readonly context: StoreContext,
    protected readonly storage: RecordStorage,
  ) {}

  async create<D extends SessionDataInput = JsonObject>(
    data: D = {} as D,
    options: TtlOptions = {},
  ): Promise<Session<D>> {
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
        const reply = await this.storage.touch(keyBytes, args, true);
        // The record carries the expiry from before the touch; the reply carries the new one.
        return { ...this.context.decodeLive(key, recordFrom(reply, 5), read), ...stampFrom(key, reply) };
      } catch (error) {
        if (error instanceof SessionNotFoundError) return null;
        // A full Redis refuses the touch's rewrite, not the read: answer the session with the expiry it keeps
        // (the reply says so) rather than fail every read of a logged-in user. The refusal is counted and logged.
        if (!(error instanceof BackendFullError)) throw error;
      }
    }
    const record = await this.storage.read(keyBytes, this.context.now(), this.context.lifetime);
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
    const records = await this.storage.readMany(keyBytes, now, this.context.lifetime);
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
    const kind = options.condition?.kind ?? "upsert";
    try {
      const keyBytes = this.context.keyBytes(key);
      const expiry = this.context.expiryArgs(options.ttl);
      const [condition, expected] = this.context.conditionArgs(options.condition);
      const encoded = this.context.encode(data);
      // The expiry nested, not spread into this object: a spread here cost several microseconds a save.
      const reply = await this.storage.save(keyBytes, {
        expiry,
        condition,
        expected,
        codecId: encoded.codecId,
        payload: encoded.payload,
      });
      const stamp = stampFrom(key, reply);
      this.context.reportSaved(kind, encoded, stamp.version, numberFrom(reply, 5));
      return { ...stamp, data };
    } catch (error) {
      this.context.reportSaveFailed(kind, error);
      throw error;
    }
  }

  async touch(key: string, options: TtlOptions = {}): Promise<SessionStamp> {
    const keyBytes = this.context.keyBytes(key);
    return stampFrom(key, await this.storage.touch(keyBytes, this.context.expiryArgs(options.ttl), false));
  }

  async delete(key: string): Promise<boolean> {
    const existed = await this.storage.delete(
      this.context.keyBytes(key),
      this.context.now(),
      this.context.lifetime,
    );
    if (existed) this.context.observer.deleted?.(this.context.config.name);
    return existed;
  }

  rotate(key: string): Promise<Session>;
  rotate<D>(key: string, read: SessionDataReader<D>): Promise<Session<D>>;
  async rotate(key: string, read: SessionDataReader<unknown> = parseSessionJson): Promise<Session<unknown>> {
    let session: Session<unknown> | undefined;
    const moved = await this.storage.rotate(
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
