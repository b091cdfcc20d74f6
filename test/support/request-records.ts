import { randomUUID } from "node:crypto";
import type { StoreConfig } from "../../src/config/config-schema.js";
import type { RedisFixture } from "./redis-fixture.js";

/** What these helpers need of a Redis: raw commands. */
type RawRedis = Pick<RedisFixture, "raw">;

/**
 * Remembered requests (AIP-155 request ids) read and written behind the store's back, from the layout documented
 * in src/store/requests/request-record.ts, written out here again rather than imported: a test that used the store's own
 * encoder would not notice the format drift.
 */

/** The Redis key remembering `requestId` in the store of `config`. */
export function requestRecordKeyOf(config: StoreConfig, requestId: string): Buffer {
  return Buffer.concat([
    Buffer.from(config.prefix, "utf8"),
    Buffer.from([0xff]),
    Buffer.from("request:"),
    Buffer.from(requestId.replaceAll("-", ""), "hex"),
  ]);
}

/** A remembered request as stored. */
export interface RawRequestRecord {
  readonly forgetAt: number;
  readonly kind: "create" | "rotate";
  readonly done: boolean;
  readonly digest: Buffer;
  /** The session key the request chose, as clients see keys. */
  readonly key: string;
  /** A done create's answer: version, created (0: none), expires, idle TTL. */
  readonly answer?: readonly [number, number, number, number];
}

const KINDS = { 1: "create", 2: "rotate" } as const;

/** The record remembering `requestId`, or `null` when there is none. */
export async function readRequestRecord(
  redis: RawRedis,
  config: StoreConfig,
  requestId: string,
): Promise<RawRequestRecord | null> {
  const value = await redis.raw("GET", requestRecordKeyOf(config, requestId));
  if (!Buffer.isBuffer(value)) return null;
  const kind = KINDS[value[4] as 1 | 2];
  if (kind === undefined || value.byteLength < 38) throw new Error("not a request record");
  const at = (offset: number) => value.readUInt32BE(offset);
  return {
    forgetAt: at(0),
    kind,
    done: value[5] === 1,
    digest: value.subarray(6, 22),
    key: value.subarray(22, 38).toString("hex"),
    answer: value.byteLength === 54 ? [at(38), at(42), at(46), at(50)] : undefined,
  };
}

/**
 * Stores a pending record, as an attempt leaves it when it stops right after remembering its request (a crash,
 * a lost connection): it names the key the request chose, and nothing says whether the work was done.
 */
export async function writePendingRecord(
  redis: RawRedis,
  config: StoreConfig,
  requestId: string,
  record: { kind: "create" | "rotate"; digest: Buffer; key: string; forgetAt: number },
): Promise<void> {
  const value = Buffer.alloc(38);
  value.writeUInt32BE(record.forgetAt, 0);
  value[4] = record.kind === "create" ? 1 : 2;
  value[5] = 0;
  record.digest.copy(value, 6);
  Buffer.from(record.key, "hex").copy(value, 22);
  await redis.raw("SET", requestRecordKeyOf(config, requestId), value, "EXAT", record.forgetAt);
}

/** Every remembered request's Redis key in the store of `config`. */
export async function requestRecordKeys(redis: RawRedis, config: StoreConfig): Promise<Buffer[]> {
  return scanKeys(
    redis,
    Buffer.concat([Buffer.from(config.prefix), Buffer.from([0xff]), Buffer.from("request:*")]),
  );
}

/** How many session records the store of `config` holds (live or not yet removed), counted from raw Redis. */
export async function storedSessionCount(redis: RawRedis, config: StoreConfig): Promise<number> {
  if (config.strategy === "string") {
    return (await scanKeys(redis, Buffer.from(`${config.prefix}${"?".repeat(16)}`))).length;
  }
  const buckets = await scanKeys(
    redis,
    Buffer.from(`${config.prefix}${"?".repeat(Math.ceil(config.bucketBits / 8))}`),
  );
  let count = 0;
  for (const bucket of buckets) count += Number(await redis.raw("HLEN", bucket));
  return count;
}

async function scanKeys(redis: RawRedis, pattern: Buffer): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let cursor = "0";
  do {
    const reply = await redis.raw("SCAN", cursor, "MATCH", pattern, "COUNT", 1000);
    const [next, found] = Array.isArray(reply) ? reply : [];
    cursor = String(next);
    if (Array.isArray(found)) keys.push(...found.filter((key): key is Buffer => Buffer.isBuffer(key)));
  } while (cursor !== "0");
  return keys;
}

/** A fresh request id, as a client makes one. */
export const newRequestId = (): string => randomUUID();
