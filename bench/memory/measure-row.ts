/**
 * One row: an empty Redis with the row's listpack limits, the population written, `used_memory` before and
 * after (each settled), then what the keys look like: sampled encodings, bucket fill and the byte breakdown.
 */
import type { RedisClient } from "../../src/store/redis/redis-connection.js";
import { writeConnectRedis, writeSeedLayout } from "./baselines.js";
import { type Breakdown, listpackBreakdown } from "./breakdown.js";
import type { DictionaryFile } from "./dictionaries.js";
import { populationJson, type SizeClass } from "./population.js";
import {
  BINARY,
  DEFAULT_LIMITS,
  retained,
  sampleEncodings,
  setListpackLimits,
  settledMemory,
} from "./redis-memory.js";
import { type RowSpec, SEED_BUCKET_BITS } from "./rows.js";
import { repositoryFor, type StoreShape, type WriteTotals, warmUp, writeOurs } from "./writers.js";

/**
 * `compressMinBytes` of the `zstd-dict` rows: a store that trains a dictionary does so to compress small sessions
 * (the codec suite measures ~200 B ones at ~2×), which the default of 400 would store plain. A payload the codec
 * does not shrink is still stored plain.
 */
export const DICTIONARY_COMPRESS_MIN_BYTES = 0;

/** What a row measured; per-session figures are means over the population. */
export interface RowResult {
  readonly row: RowSpec;
  readonly jsonBytes: number;
  readonly storedBytes: number;
  /** Mean record header bytes, for layouts with record headers (ours, the seed's); 0 for connect-redis. */
  readonly headerBytes: number;
  /** `used_memory` after minus before, client buffers left out, per session. */
  readonly bytesPerSession: number;
  /** `used_memory` after minus before with client buffers, per session. */
  readonly usedMemoryPerSession: number;
  readonly encodings: Readonly<Record<string, number>>;
  /** Hash layouts: non-empty buckets, and sessions per bucket (mean over all 2^bits buckets, max). */
  readonly fill: { readonly buckets: number; readonly mean: number; readonly max: number } | null;
  /** Advisories of our store's own stats (hash rows), to see whether they say what this suite measures. */
  readonly advisories: readonly string[];
  readonly breakdown: Breakdown | null;
  /** The dictionary of a `zstd-dict` row (its file's path left out: it is gone after the run). */
  readonly dictionary: Omit<DictionaryFile, "path"> | null;
  readonly writeSeconds: number;
}

/** Our store's configuration for `row`; `null` for the baselines, which are not our store. */
function shapeOf(row: RowSpec, dictionary: DictionaryFile | undefined): StoreShape | null {
  const codec =
    row.codec !== "zstd-dict"
      ? { codec: row.codec }
      : {
          codec: row.codec,
          zstdDictionaries: [requireDictionary(row, dictionary).path],
          compressMinBytes: DICTIONARY_COMPRESS_MIN_BYTES,
        };
  if (row.layout.kind === "string") return { strategy: "string", ...codec };
  if (row.layout.kind === "hash") return { strategy: "hash", bucketBits: row.layout.bits, ...codec };
  return null;
}

function requireDictionary(row: RowSpec, dictionary: DictionaryFile | undefined): DictionaryFile {
  if (dictionary === undefined) throw new Error(`no dictionary was trained for ${row.size.label} sessions`);
  return dictionary;
}

/** Sessions per bucket over every key, of `bucketCount` buckets (the seed's; our stats count our own). */
async function scanFill(client: RedisClient, bucketCount: number): Promise<RowResult["fill"]> {
  const keys: Buffer[] = [];
  let cursor = "0";
  do {
    const [next, found] = (await client.sendCommand(["SCAN", cursor, "COUNT", "1000"], BINARY)) as [
      Buffer,
      Buffer[],
    ];
    cursor = next.toString();
    keys.push(...found);
  } while (cursor !== "0");
  const sizes: number[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    sizes.push(
      ...(await Promise.all(keys.slice(i, i + 1000).map((key) => client.sendCommand(["HLEN", key])))).map(
        Number,
      ),
    );
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  return { buckets: keys.length, mean: total / bucketCount, max: Math.max(...sizes) };
}

/** Measures `row`; `dictionaries` holds the dictionary of each size class that has `zstd-dict` rows. */
export async function measureRow(
  client: RedisClient,
  row: RowSpec,
  onProgress: (done: number) => void,
  dictionaries: ReadonlyMap<SizeClass, DictionaryFile> = new Map(),
): Promise<RowResult> {
  const dictionary = row.codec === "zstd-dict" ? dictionaries.get(row.size) : undefined;
  const shape = shapeOf(row, dictionary);
  await client.sendCommand(["FLUSHALL"]);
  await setListpackLimits(client, row.limits?.values ?? DEFAULT_LIMITS);
  if (shape !== null) {
    // The scripts' first EVAL caches them in Redis: that must happen before the "before" reading.
    await warmUp(client, shape);
    await client.sendCommand(["FLUSHALL"]);
  }
  populationJson(row.size, row.sessions); // generated (or reused) here, so writeSeconds times only the writes
  const before = await settledMemory(client);
  const started = performance.now();
  let totals: WriteTotals;
  if (shape !== null) totals = await writeOurs(client, shape, row.size, row.sessions, onProgress);
  else if (row.layout.kind === "connect-redis")
    totals = await writeConnectRedis(client, row.size, row.sessions, onProgress);
  else totals = await writeSeedLayout(client, row.size, row.sessions, onProgress);
  const writeSeconds = (performance.now() - started) / 1000;
  const after = await settledMemory(client);

  const packed = row.layout.kind === "hash" || row.layout.kind === "seed";
  let fill: RowResult["fill"] = null;
  let advisories: readonly string[] = [];
  if (row.layout.kind === "hash" && shape !== null) {
    const stats = await repositoryFor(client, shape).stats({ sampleSize: 64 });
    const buckets = stats.buckets;
    if (buckets !== undefined)
      fill = { buckets: buckets.count - buckets.empty, mean: buckets.mean, max: buckets.max };
    advisories = stats.advisories;
  } else if (packed) {
    fill = await scanFill(client, 2 ** SEED_BUCKET_BITS);
  }
  // The breakdown reads whole buckets and needs the JSON as stored, so only packed rows without compression.
  const header = (totals.headerBytes ?? 0) / totals.sessions;
  const breakdown = packed && row.codec === "none" ? await listpackBreakdown(client, header) : null;
  return {
    row,
    jsonBytes: totals.jsonBytes / totals.sessions,
    storedBytes: totals.storedBytes / totals.sessions,
    headerBytes: header,
    bytesPerSession: (retained(after) - retained(before)) / totals.sessions,
    usedMemoryPerSession: (after.usedMemory - before.usedMemory) / totals.sessions,
    encodings: await sampleEncodings(client),
    fill,
    advisories,
    breakdown,
    dictionary:
      dictionary === undefined
        ? null
        : { id: dictionary.id, bytes: dictionary.bytes, trainedOn: dictionary.trainedOn },
    writeSeconds,
  };
}
