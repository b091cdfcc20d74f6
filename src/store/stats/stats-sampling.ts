/**
 * Shared by both strategies' stats and by the CLI's session sampler: batched commands, samples and their
 * summaries. Only sizes are read.
 */

import { BackendError } from "../errors.js";
import type { RedisLink, RedisReply } from "../redis/redis-link.js";
import type { ListpackLimits, MemoryEstimate } from "./store-stats.js";

/** Commands in flight at once while counting. */
const BATCH = 512;

export async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    results.push(...(await Promise.all(items.slice(start, start + BATCH).map(work))));
  }
  return results;
}

export function summarize(sizes: readonly number[]) {
  if (sizes.length === 0) return { sampled: 0, mean: 0, max: 0 };
  const sum = sizes.reduce((a, b) => a + b, 0);
  return { sampled: sizes.length, mean: Math.round(sum / sizes.length), max: Math.max(...sizes) };
}

export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

export async function countEncodings(
  link: RedisLink,
  keys: readonly Buffer[],
): Promise<Record<string, number>> {
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
export async function estimateMemory(
  link: RedisLink,
  keys: readonly Buffer[],
  sessionsInKeys: number,
  sessions: number,
): Promise<MemoryEstimate | null> {
  if (keys.length === 0 || sessionsInKeys === 0) return null;
  let usages: number[];
  try {
    // SAMPLES 0: measure every field of a bucket, not a sample of them.
    usages = (await inBatches(keys, (key) => link.command(["MEMORY", "USAGE", key, "SAMPLES", "0"]))).map(
      Number,
    );
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

/** The Buffers of an array reply (field or key names). */
export function buffersOf(reply: RedisReply | undefined): Buffer[] {
  return Array.isArray(reply) ? reply.filter((item): item is Buffer => Buffer.isBuffer(item)) : [];
}

/** Escapes glob metacharacters so a prefix matches only itself in SCAN MATCH. */
export function globEscape(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of bytes) {
    if ("*?[]\\".includes(String.fromCharCode(byte))) out.push(0x5c);
    out.push(byte);
  }
  return Buffer.from(out);
}
