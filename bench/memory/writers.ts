/**
 * Writing a population into Redis through our repository, the code under test (baselines.ts writes the others).
 * Writers return what they wrote, so overhead is measured against the exact JSON bytes.
 */
import { parseConfig } from "../../src/config/load-config.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import type { RedisClient } from "../../src/store/redis/redis-connection.js";
import { populationJson, type SizeClass } from "./population.js";

/** Sessions in flight at once: enough to pipeline, few enough to keep client buffers small. */
export const BATCH = 1_000;
/** Every store in this suite lives 14 days (our default TTL, Django's cookie age). */
export const TTL_SECONDS = 14 * 86_400;

/** Bytes a writer put into Redis, summed over the population. */
export interface WriteTotals {
  readonly sessions: number;
  /** The sessions' JSON, as `JSON.stringify` makes it: the payload every layout must keep. */
  readonly jsonBytes: number;
  /** Payload bytes as stored: after the codec; for connect-redis, with the cookie express-session adds. */
  readonly storedBytes: number;
  /** Record header bytes, where the layout has record headers. */
  readonly headerBytes?: number;
}

/** Runs `write(i)` for every session index, `BATCH` at a time, reporting progress every quarter. */
export async function inBatches(
  count: number,
  write: (index: number) => Promise<unknown>,
  onProgress: (done: number) => void,
) {
  const step = Math.max(BATCH, Math.ceil(count / 4 / BATCH) * BATCH);
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) batch.push(write(i));
    await Promise.all(batch);
    if (end % step === 0 && end < count) onProgress(end);
  }
}

/** Our store as a row configures it: fields of a store's configuration, under the same names. */
export interface StoreShape {
  readonly strategy: "string" | "hash";
  readonly bucketBits?: number;
  readonly codec: "none" | "zstd" | "zstd-dict";
  /** Dictionary files, for `zstd-dict`. */
  readonly zstdDictionaries?: readonly string[];
  /** The default (400) unless set. */
  readonly compressMinBytes?: number;
}

/** The repository for `shape` on `client`; `onStored` sees every record's sizes. */
export function repositoryFor(
  client: RedisClient,
  shape: StoreShape,
  onStored: (json: number, payload: number, record: number) => void = () => {},
) {
  // Unless the shape sets compressMinBytes (zstd-dict rows do), it stays at its default (400): a ~200 B session
  // is then stored plain even under zstd.
  const config = parseConfig({ stores: { bench: { prefix: "sess:", defaultTtl: TTL_SECONDS, ...shape } } })
    .stores.bench;
  if (config === undefined) throw new Error("the bench store is missing from its own config");
  return createSessionRepository(config, client, {
    observer: {
      stored: (_store, sizes) => onStored(sizes.jsonBytes, sizes.payloadBytes, sizes.recordBytes),
    },
  });
}

/** Creates one session and forgets it, so the Lua scripts are cached before memory is first read. */
export async function warmUp(client: RedisClient, shape: StoreShape): Promise<void> {
  await repositoryFor(client, shape).create({ warm: true });
}

/** `count` sessions of `size` through `createSessionRepository(...).create(data)`, as the service writes them. */
export async function writeOurs(
  client: RedisClient,
  shape: StoreShape,
  size: SizeClass,
  count: number,
  onProgress: (done: number) => void,
): Promise<WriteTotals> {
  let jsonBytes = 0;
  let storedBytes = 0;
  let headerBytes = 0;
  const repository = repositoryFor(client, shape, (json, payload, record) => {
    jsonBytes += json;
    storedBytes += payload;
    headerBytes += record - payload;
  });
  const json = populationJson(size, count);
  await inBatches(count, (i) => repository.create(JSON.parse(json[i] as string)), onProgress);
  return { sessions: count, jsonBytes, storedBytes, headerBytes };
}
