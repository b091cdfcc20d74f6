import type { BucketLayout } from "./bucket-layout.js";
import { BackendError } from "./errors.js";
import type { RedisLink, RedisReply } from "./redis-link.js";

/** Fill of the hash strategy's buckets. */
export interface BucketFill {
  /** Buckets the store has (2^bucketBits). */
  readonly count: number;
  /** Buckets whose size was read (all of them up to {@link MAX_EXACT_BUCKETS}, else a sample). */
  readonly scanned: number;
  readonly empty: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** Redis' limits for packing a Hash as a listpack (null when CONFIG GET is not allowed). */
export interface ListpackLimits {
  readonly entries: number;
  readonly value: number;
}

/** What a store looks like in Redis. */
export interface StoreStats {
  readonly strategy: "string" | "hash";
  /**
   * Sessions stored. In the hash strategy this includes expired sessions not yet swept; it is extrapolated from
   * a sample when {@link StoreStats.exact} is false.
   */
  readonly sessions: number;
  readonly exact: boolean;
  /** Hash strategy only. */
  readonly buckets?: BucketFill;
  /** `OBJECT ENCODING` of sampled keys (buckets, or session Strings), by encoding. */
  readonly encodings: Readonly<Record<string, number>>;
  /** Sizes of sampled stored records (header + payload), in bytes. */
  readonly recordBytes: { readonly sampled: number; readonly mean: number; readonly max: number };
  readonly listpackLimits: ListpackLimits | null;
  /** Redis memory of the store, estimated from `MEMORY USAGE` of the sampled keys (null when MEMORY is refused). */
  readonly memory: MemoryEstimate | null;
  /** Plain-language warnings: where the store's layout stops paying, and what to change. */
  readonly advisories: string[];
}

/** The store's memory footprint, estimated from samples. */
export interface MemoryEstimate {
  /** Keys whose `MEMORY USAGE` was read. */
  readonly sampledKeys: number;
  /** Mean bytes per session in the sample, all overhead included (key, object, encoding). */
  readonly bytesPerSession: number;
  /** `bytesPerSession` times the store's sessions. */
  readonly totalBytes: number;
}

/** Options of a stats call. */
export interface StatsOptions {
  /** Keys sampled for encodings and record sizes. Default: 32. */
  readonly sampleSize?: number;
}

/** A repository that can describe its footprint. */
export interface StatsProvider {
  stats(options?: StatsOptions): Promise<StoreStats>;
}

/** Up to this many buckets are counted one by one; beyond, a sample of this size is extrapolated. */
export const MAX_EXACT_BUCKETS = 65_536;
/** Commands in flight at once while counting. */
const BATCH = 512;
/** Fields sampled per sampled bucket for record sizes. */
const FIELDS_PER_BUCKET = 8;
/** Rough fixed cost of one bucket key in Redis (key, hash object, listpack header), in bytes. */
const BUCKET_OVERHEAD_BYTES = 100;

async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    results.push(...(await Promise.all(items.slice(start, start + BATCH).map(work))));
  }
  return results;
}

function summarize(sizes: readonly number[]) {
  if (sizes.length === 0) return { sampled: 0, mean: 0, max: 0 };
  const sum = sizes.reduce((a, b) => a + b, 0);
  return { sampled: sizes.length, mean: Math.round(sum / sizes.length), max: Math.max(...sizes) };
}

function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

async function countEncodings(link: RedisLink, keys: readonly Buffer[]): Promise<Record<string, number>> {
  const encodings: Record<string, number> = {};
  for (const reply of await inBatches(keys, (key) => link.command(["OBJECT", "ENCODING", key]))) {
    if (reply === null) continue; // expired or deleted since it was listed
    const name = String(reply);
    encodings[name] = (encodings[name] ?? 0) + 1;
  }
  return encodings;
}

/**
 * Memory per session from `MEMORY USAGE` of `keys` (buckets or session Strings) holding `sessionsInKeys`
 * sessions in all; null when the server refuses MEMORY or nothing was sampled.
 */
async function estimateMemory(
  link: RedisLink,
  keys: readonly Buffer[],
  sessionsInKeys: number,
  sessions: number,
): Promise<MemoryEstimate | null> {
  if (keys.length === 0 || sessionsInKeys === 0) return null;
  let usages: number[];
  try {
    // SAMPLES 0: measure every field of a bucket, not a sample of them.
    usages = (await inBatches(keys, (key) => link.command(["MEMORY", "USAGE", key, "SAMPLES", "0"]))).map(Number);
  } catch (error) {
    if (error instanceof BackendError) return null;
    throw error;
  }
  const bytesPerSession = usages.reduce((a, b) => a + b, 0) / sessionsInKeys;
  return {
    sampledKeys: keys.length,
    bytesPerSession: Math.round(bytesPerSession * 10) / 10,
    totalBytes: Math.round(bytesPerSession * sessions),
  };
}

/** The server's listpack limits, or null when CONFIG GET is refused (managed services often rename it). */
export async function readListpackLimits(link: RedisLink): Promise<ListpackLimits | null> {
  try {
    const reply = await link.command(["CONFIG", "GET", "hash-max-listpack-*"]);
    const pairs = Array.isArray(reply) ? reply.map(String) : [];
    const value = (name: string) => Number(pairs[pairs.indexOf(name) + 1]);
    const limits = { entries: value("hash-max-listpack-entries"), value: value("hash-max-listpack-value") };
    return Number.isFinite(limits.entries) && Number.isFinite(limits.value) ? limits : null;
  } catch (error) {
    if (error instanceof BackendError) return null;
    throw error;
  }
}

/** Stats of a hash-strategy store. Only sizes travel to this process, never values. */
export async function hashStoreStats(
  link: RedisLink,
  layout: BucketLayout,
  options: StatsOptions = {},
): Promise<StoreStats> {
  const sampleSize = options.sampleSize ?? 32;
  const exact = layout.count <= MAX_EXACT_BUCKETS;
  const indexes = exact
    ? Array.from({ length: layout.count }, (_, i) => i)
    : Array.from({ length: MAX_EXACT_BUCKETS }, () => Math.floor(Math.random() * layout.count));
  const buckets = indexes.map((index) => layout.bucketAt(index));
  const fills = (await inBatches(buckets, (bucket) => link.command(["HLEN", bucket]))).map(Number);

  const counted = fills.reduce((a, b) => a + b, 0);
  const sessions = exact ? counted : Math.round((counted / fills.length) * layout.count);
  const fill: BucketFill = {
    count: layout.count,
    scanned: fills.length,
    empty: fills.filter((n) => n === 0).length,
    min: Math.min(...fills),
    mean: counted / fills.length,
    max: Math.max(...fills),
  };

  const sampled = evenlySpaced(
    buckets.filter((_, i) => (fills[i] ?? 0) > 0),
    sampleSize,
  );
  const encodings = await countEncodings(link, sampled);
  const fieldLists = await inBatches(sampled, (bucket) =>
    link.command(["HRANDFIELD", bucket, String(FIELDS_PER_BUCKET)]),
  );
  const sizes = (
    await inBatches(
      sampled.flatMap((bucket, i) => fieldsOf(fieldLists[i]).map((field) => [bucket, field] as const)),
      ([bucket, field]) => link.command(["HSTRLEN", bucket, field]),
    )
  ).map(Number);
  const recordBytes = summarize(sizes);
  const listpackLimits = await readListpackLimits(link);
  const fillOf = new Map(buckets.map((bucket, i) => [bucket.toString("latin1"), fills[i] ?? 0]));
  const sampledSessions = sampled.reduce((sum, bucket) => sum + (fillOf.get(bucket.toString("latin1")) ?? 0), 0);
  const memory = await estimateMemory(link, sampled, sampledSessions, sessions);

  return {
    strategy: "hash",
    sessions,
    exact,
    buckets: fill,
    encodings,
    recordBytes,
    listpackLimits,
    memory,
    advisories: hashAdvisories(layout, sessions, fill, encodings, recordBytes, listpackLimits),
  };
}

function fieldsOf(reply: RedisReply | undefined): Buffer[] {
  return Array.isArray(reply) ? reply.filter((item): item is Buffer => Buffer.isBuffer(item)) : [];
}

function hashAdvisories(
  layout: BucketLayout,
  sessions: number,
  fill: BucketFill,
  encodings: Record<string, number>,
  recordBytes: { max: number },
  limits: ListpackLimits | null,
): string[] {
  const advisories: string[] = [];
  if (limits === null) {
    advisories.push("cannot read hash-max-listpack-* (CONFIG GET refused): packing limits were not checked");
  } else {
    const largest = Math.max(recordBytes.max, layout.fieldBytes);
    if (largest > limits.value) {
      advisories.push(
        `records of up to ${largest} bytes exceed hash-max-listpack-value (${limits.value}): buckets holding them ` +
          `are stored as hashtables and packing stops paying; raise hash-max-listpack-value to at least ${largest} ` +
          "or use the string strategy",
      );
    }
    if (fill.max > limits.entries) {
      const bits = Math.min(24, Math.ceil(Math.log2(Math.max(1, (2 * sessions) / limits.entries))));
      advisories.push(
        `the fullest bucket holds ${fill.max} sessions, over hash-max-listpack-entries (${limits.entries}): ` +
          `raise bucketBits to ${Math.max(bits, layout.bits + 1)} or hash-max-listpack-entries`,
      );
    }
  }
  const hashtables = encodings.hashtable ?? 0;
  if (hashtables > 0) {
    const sampledBuckets = Object.values(encodings).reduce((a, b) => a + b, 0);
    advisories.push(`${hashtables} of ${sampledBuckets} sampled buckets are hashtables, not listpacks`);
  }
  if (sessions > 0 && fill.mean < 4 && layout.bits > 1) {
    const suggested = Math.max(1, Math.ceil(Math.log2(sessions / 32)));
    advisories.push(
      `buckets hold ${fill.mean.toFixed(2)} sessions on average: each bucket's own overhead ` +
        `(~${BUCKET_OVERHEAD_BYTES} bytes) outweighs what packing saves; bucketBits ${suggested} suits ` +
        `${sessions} sessions`,
    );
  }
  return advisories;
}

/** Escapes glob metacharacters so a prefix matches only itself in SCAN MATCH. */
function globEscape(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of bytes) {
    if ("*?[]\\".includes(String.fromCharCode(byte))) out.push(0x5c);
    out.push(byte);
  }
  return Buffer.from(out);
}

/** Stats of a string-strategy store: an exact count by SCAN, and a sample of keys. */
export async function stringStoreStats(
  link: RedisLink,
  prefix: Buffer,
  keyBytes: number,
  options: StatsOptions = {},
): Promise<StoreStats> {
  const sampleSize = options.sampleSize ?? 32;
  const pattern = Buffer.concat([globEscape(prefix), Buffer.from("?".repeat(keyBytes))]);
  let cursor = "0";
  let sessions = 0;
  const sample: Buffer[] = [];
  do {
    const reply = await link.command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]);
    const [next, keys] = Array.isArray(reply) ? reply : [];
    cursor = String(next ?? "0");
    const found = fieldsOf(keys);
    sessions += found.length;
    sample.push(...found.slice(0, sampleSize - sample.length));
  } while (cursor !== "0");

  const sizes = (await inBatches(sample, (key) => link.command(["STRLEN", key]))).map(Number);
  return {
    strategy: "string",
    sessions,
    exact: true,
    encodings: await countEncodings(link, sample),
    recordBytes: summarize(sizes),
    listpackLimits: await readListpackLimits(link),
    memory: await estimateMemory(link, sample, sample.length, sessions),
    advisories: [],
  };
}
