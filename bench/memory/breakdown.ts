/**
 * Where a packed session's bytes go. Samples buckets, reads their fields and values, rebuilds the listpack's
 * exact size from Redis 7's encoding rules and compares it with what `MEMORY USAGE` says was allocated: the
 * difference is jemalloc's size-class rounding. What the model does not explain (main-dict table slots, the
 * dict entry's real 32-byte allocation, allocator details) is left as a residual against `used_memory`.
 */
import type { RedisClient } from "../../src/store/redis/redis-connection.js";
import { BINARY } from "./redis-memory.js";

/** jemalloc's size class for an `n`-byte request (x86-64: 16-byte quantum, four classes per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const spacing = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / spacing) * spacing;
}

/** Bytes a listpack spends on one string element besides its data: encoding header and back-length. */
export function listpackEntryOverhead(length: number): number {
  const header = length <= 63 ? 1 : length <= 4095 ? 2 : 5;
  const backlen = (n: number) => (n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : n < 268_435_456 ? 4 : 5);
  return header + backlen(header + length);
}

/** A listpack's total-bytes (4) and element-count (2) header, and its end byte. */
const LISTPACK_FIXED = 7;
/** `MEMORY USAGE` of a listpack Hash = robj (16) + listpack allocation + key name allocation + dictEntry (24). */
const ROBJ = 16;
const DICT_ENTRY_COUNTED = 24;

/** An sds string's allocation for a key of `length` bytes (header 1, 3 or 5 bytes, then a NUL). */
function keyNameSize(length: number): number {
  return jemallocSize((length < 32 ? 1 : length < 256 ? 3 : 5) + length + 1);
}

/** One sampled bucket, as its sizes. */
interface SampledBucket {
  readonly keyLength: number;
  readonly fields: readonly number[];
  readonly values: readonly number[];
  readonly usage: number;
}

/** Bytes per session by component; every field is a mean over the sampled sessions. */
export interface Breakdown {
  readonly sampledBuckets: number;
  readonly sampledSessions: number;
  readonly payload: number;
  readonly header: number;
  readonly field: number;
  readonly entryEncoding: number;
  readonly listpackFixed: number;
  readonly rounding: number;
  readonly bucketKey: number;
  /** Sampled buckets whose allocation (from MEMORY USAGE) is not jemallocSize(modelled listpack): model check. */
  readonly modelMismatches: number;
  /** Allocated listpack bytes per session now. */
  readonly listpackAllocated: number;
}

/** Samples up to `samples` random buckets (listpack Hashes) whose records start with `headerBytes` of header. */
export async function listpackBreakdown(
  client: RedisClient,
  headerBytes: number,
  samples = 256,
): Promise<Breakdown | null> {
  const keys = new Map<string, Buffer>();
  for (const key of await Promise.all(
    Array.from({ length: samples }, () => client.sendCommand(["RANDOMKEY"], BINARY)),
  )) {
    if (Buffer.isBuffer(key)) keys.set(key.toString("hex"), key);
  }
  const buckets = (
    await Promise.all(
      [...keys.values()].map(async (key): Promise<SampledBucket | null> => {
        const [encoding, pairs, usage] = await Promise.all([
          client.sendCommand(["OBJECT", "ENCODING", key]),
          client.sendCommand(["HGETALL", key], BINARY) as Promise<Buffer[]>,
          client.sendCommand(["MEMORY", "USAGE", key, "SAMPLES", "0"]),
        ]);
        if (String(encoding) !== "listpack") return null;
        const lengths = pairs.map((item) => item.byteLength);
        return {
          keyLength: key.byteLength,
          fields: lengths.filter((_, i) => i % 2 === 0),
          values: lengths.filter((_, i) => i % 2 === 1),
          usage: Number(usage),
        };
      }),
    )
  ).filter((bucket): bucket is SampledBucket => bucket !== null);
  if (buckets.length === 0) return null;

  const sum = (items: readonly number[]) => items.reduce((a, b) => a + b, 0);
  const listpackBytes = (bucket: SampledBucket) =>
    LISTPACK_FIXED +
    sum(bucket.fields.map((n) => n + listpackEntryOverhead(n))) +
    sum(bucket.values.map((n) => n + listpackEntryOverhead(n)));
  const allocated = (bucket: SampledBucket) =>
    bucket.usage - ROBJ - keyNameSize(bucket.keyLength) - DICT_ENTRY_COUNTED;

  const sessions = sum(buckets.map((b) => b.fields.length));
  const perSession = (bytes: number) => bytes / sessions;
  const values = sum(buckets.map((b) => sum(b.values)));
  const entries = sum(
    buckets.map((b) => sum([...b.fields, ...b.values].map((n) => listpackEntryOverhead(n)))),
  );
  return {
    sampledBuckets: buckets.length,
    sampledSessions: sessions,
    payload: perSession(values) - headerBytes,
    header: headerBytes,
    field: perSession(sum(buckets.map((b) => sum(b.fields)))),
    entryEncoding: perSession(entries),
    listpackFixed: perSession(LISTPACK_FIXED * buckets.length),
    rounding: perSession(sum(buckets.map((b) => allocated(b) - listpackBytes(b)))),
    bucketKey: perSession(sum(buckets.map((b) => ROBJ + keyNameSize(b.keyLength) + DICT_ENTRY_COUNTED))),
    modelMismatches: buckets.filter((b) => allocated(b) !== jemallocSize(listpackBytes(b))).length,
    listpackAllocated: perSession(sum(buckets.map(allocated))),
  };
}
