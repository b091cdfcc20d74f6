/**
 * Stats of a hash-strategy store: bucket fill and sampled record sizes, and the advisories that say when packing
 * stops paying.
 */

import type { RedisLink } from "../redis/redis-link.js";
import type { BucketLayout } from "../strategies/bucket-layout.js";
import { evictionAdvisory, readMaxmemoryPolicy } from "./eviction-policy.js";
import {
  buffersOf,
  countEncodings,
  estimateMemory,
  evenlySpaced,
  inBatches,
  readListpackLimits,
  summarize,
} from "./stats-sampling.js";
import type { BucketFill, ListpackLimits, StatsOptions, StoreStats } from "./store-stats.js";

/** Up to this many buckets are counted one by one; beyond, a sample of this size is extrapolated. */
export const MAX_EXACT_BUCKETS = 65_536;
/** Fields sampled per sampled bucket for record sizes. */
const FIELDS_PER_BUCKET = 8;
/** Rough fixed cost of one bucket key in Redis (key, hash object, listpack header), in bytes. */
const BUCKET_OVERHEAD_BYTES = 100;

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
      sampled.flatMap((bucket, i) => buffersOf(fieldLists[i]).map((field) => [bucket, field] as const)),
      ([bucket, field]) => link.command(["HSTRLEN", bucket, field]),
    )
  ).map(Number);
  const recordBytes = summarize(sizes);
  const listpackLimits = await readListpackLimits(link);
  const fillOf = new Map(buckets.map((bucket, i) => [bucket.toString("latin1"), fills[i] ?? 0]));
  const sampledSessions = sampled.reduce(
    (sum, bucket) => sum + (fillOf.get(bucket.toString("latin1")) ?? 0),
    0,
  );
  const memory = await estimateMemory(link, sampled, sampledSessions, sessions);
  const maxmemoryPolicy = await readMaxmemoryPolicy(link);
  const eviction = evictionAdvisory(maxmemoryPolicy, { strategy: "hash", bucketBits: layout.bits });

  return {
    strategy: "hash",
    sessions,
    exact,
    buckets: fill,
    encodings,
    recordBytes,
    listpackLimits,
    maxmemoryPolicy,
    memory,
    advisories: [
      ...(eviction === null ? [] : [eviction]),
      ...hashAdvisories(layout, sessions, fill, encodings, recordBytes, listpackLimits),
    ],
  };
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
