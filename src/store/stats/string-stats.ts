/**
 * Stats of a string-strategy store: an exact count by SCAN of the keys shaped like sessions, and a sample of them.
 */

import type { RedisLink } from "../redis/redis-link.js";
import { evictionAdvisory, readMaxmemoryPolicy } from "./eviction-policy.js";
import {
  buffersOf,
  countEncodings,
  estimateMemory,
  globEscape,
  inBatches,
  readListpackLimits,
  summarize,
} from "./stats-sampling.js";
import type { StatsOptions, StoreStats } from "./store-stats.js";

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
    const found = buffersOf(keys);
    sessions += found.length;
    sample.push(...found.slice(0, sampleSize - sample.length));
  } while (cursor !== "0");

  const sizes = (await inBatches(sample, (key) => link.command(["STRLEN", key]))).map(Number);
  const maxmemoryPolicy = await readMaxmemoryPolicy(link);
  const eviction = evictionAdvisory(maxmemoryPolicy, { strategy: "string" });
  return {
    strategy: "string",
    sessions,
    exact: true,
    encodings: await countEncodings(link, sample),
    recordBytes: summarize(sizes),
    listpackLimits: await readListpackLimits(link),
    maxmemoryPolicy,
    memory: await estimateMemory(link, sample, sample.length, sessions),
    advisories: eviction === null ? [] : [eviction],
  };
}
