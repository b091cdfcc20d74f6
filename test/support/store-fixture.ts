import type { CodecName } from "../../src/codec/codec.js";
import type { StoreConfig } from "../../src/config/config-schema.js";
import { parseConfig } from "../../src/config/load-config.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { encodeHeader, payloadOf, type RecordHeader, readHeader } from "../../src/store/records/record.js";
import type { RedisSessionRepository } from "../../src/store/redis-session-repository.js";
import type { Sweeper } from "../../src/store/session-repository.js";
import type { StoreLogger } from "../../src/store/store-logger.js";
import type { RedisFixture } from "./redis-fixture.js";

/** The strategies and codecs every contract test runs over. */
export const strategies = ["string", "hash"] as const;
export const codecs: readonly CodecName[] = ["none", "zstd", "gzip", "brotli"];
export const strategyCodecMatrix = strategies.flatMap((strategy) =>
  codecs.map((codec) => ({ strategy, codec })),
);

/** A store's settings as the config loader resolves them, with `overrides` applied. */
export function storeConfig(overrides: Record<string, unknown> = {}): StoreConfig {
  const config = parseConfig({ stores: { test: { prefix: "t:", ...overrides } } }, {});
  const store = config.stores.test;
  if (store === undefined) throw new Error("test store missing");
  return store;
}

/** A clock tests can move: starts at the real time, in milliseconds. */
export class TestClock {
  ms = Date.now();
  readonly now = () => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A repository on the fixture's Redis with the given settings, its clock and its captured log. */
export function makeStore(redis: RedisFixture, overrides: Record<string, unknown> = {}) {
  const clock = new TestClock();
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger: StoreLogger = { warn: (fields, message) => warnings.push({ fields, message }) };
  const config = storeConfig(overrides);
  const repository = createSessionRepository(config, redis.client, { clock: clock.now, logger });
  return { repository, clock, warnings, config };
}

type AnyRepository = ReturnType<typeof createSessionRepository>;

/** The sweeper of a hash store's repository; a string store has none, and asking for it is the test's mistake. */
export function sweeperOf(repository: RedisSessionRepository): Sweeper {
  if (repository.sweeper === null) throw new Error("a string store has no sweeper");
  return repository.sweeper;
}

/** Where a session's record lives in Redis, computed independently of the repository's own code paths. */
export function rawLocation(config: StoreConfig, key: string): { redisKey: Buffer; field?: Buffer } {
  const bytes = Buffer.from(key, "hex");
  const prefix = Buffer.from(config.prefix);
  if (config.strategy === "string") return { redisKey: Buffer.concat([prefix, bytes]) };
  const whole = Math.floor(config.bucketBits / 8);
  const id = Buffer.from(bytes.subarray(0, Math.ceil(config.bucketBits / 8)));
  const spare = (8 - (config.bucketBits % 8)) % 8;
  if (spare > 0) id[whole] = ((id[whole] ?? 0) >> spare) << spare;
  return { redisKey: Buffer.concat([prefix, id]), field: bytes.subarray(whole) };
}

/** The raw stored record of `key`, read behind the repository's back. */
export async function readRaw(redis: RedisFixture, config: StoreConfig, key: string): Promise<Buffer | null> {
  const { redisKey, field } = rawLocation(config, key);
  const reply =
    field === undefined ? await redis.raw("GET", redisKey) : await redis.raw("HGET", redisKey, field);
  return Buffer.isBuffer(reply) ? reply : null;
}

/** Overwrites the raw record of `key` (keeping a string key's TTL), behind the repository's back. */
export async function writeRaw(
  redis: RedisFixture,
  config: StoreConfig,
  key: string,
  record: Buffer,
): Promise<void> {
  const { redisKey, field } = rawLocation(config, key);
  if (field === undefined) await redis.raw("SET", redisKey, record, "KEEPTTL");
  else await redis.raw("HSET", redisKey, field, record);
}

/** The header and payload of a stored record; throws when its header is malformed. */
export function recordParts(record: Buffer | null): { header: RecordHeader; payload: Buffer } {
  const header = record === null ? null : readHeader(record);
  if (record === null || header === null) throw new Error("no readable record");
  return { header, payload: payloadOf(record, header) };
}

/** `record` with its codec id and/or payload replaced (in the current format), the rest of its header kept. */
export function withRecordParts(record: Buffer, changes: { codecId?: number; payload?: Buffer }): Buffer {
  const { header, payload } = recordParts(record);
  return Buffer.concat([
    encodeHeader({ ...header, codecId: changes.codecId ?? header.codecId }),
    changes.payload ?? payload,
  ]);
}

export type { AnyRepository };
