/** Reading Redis' memory accounting on the private server: settled `used_memory`, limits, sampled encodings. */
import { RESP_TYPES } from "redis";
import type { RedisClient } from "../../src/store/redis/redis-connection.js";

/** Keys come back as Buffers: bucket names are binary, and a UTF-8 round trip would mangle them. */
export const BINARY = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/** `hash-max-listpack-entries` and `hash-max-listpack-value`. */
export interface ListpackLimits {
  readonly entries: number;
  readonly value: number;
}

/** Redis 7.0's defaults. */
export const DEFAULT_LIMITS: ListpackLimits = { entries: 128, value: 64 };

export async function setListpackLimits(client: RedisClient, limits: ListpackLimits): Promise<void> {
  await client.sendCommand([
    "CONFIG",
    "SET",
    "hash-max-listpack-entries",
    String(limits.entries),
    "hash-max-listpack-value",
    String(limits.value),
  ]);
}

/** The fields of INFO memory this suite reads. */
export interface MemoryReading {
  /** Everything the allocator handed out, size-class rounding included (what a maxmemory limit counts). */
  readonly usedMemory: number;
  /**
   * Client query and output buffers, part of `used_memory`: they swing by tens of KiB with each pipelined batch
   * and with the INFO reply itself, which at 20k sessions would be ~1 B per session of noise. Not sessions.
   */
  readonly clients: number;
}

async function readMemory(client: RedisClient): Promise<MemoryReading> {
  const info = String(await client.sendCommand(["INFO", "memory"]));
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return { usedMemory: field("used_memory"), clients: field("mem_clients_normal") };
}

/** What stays of `used_memory` once the client's buffers are left out. */
export const retained = (reading: MemoryReading) => reading.usedMemory - reading.clients;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Memory once it stops moving: after a burst of writes Redis may still be rehashing its key dictionaries
 * incrementally (both tables allocated meanwhile). Waits `minMs`, then until two readings 200 ms apart agree
 * within 4 KiB (without client buffers).
 */
export async function settledMemory(
  client: RedisClient,
  minMs = 300,
  maxMs = 10_000,
): Promise<MemoryReading> {
  const start = Date.now();
  await sleep(minMs);
  let last = await readMemory(client);
  while (Date.now() - start < maxMs) {
    await sleep(200);
    const next = await readMemory(client);
    const stable = Math.abs(retained(next) - retained(last)) <= 4096;
    last = next;
    if (stable) break;
  }
  return last;
}

/** `OBJECT ENCODING` of `samples` random keys, by encoding (e.g. `{ listpack: 64 }`). */
export async function sampleEncodings(client: RedisClient, samples = 64): Promise<Record<string, number>> {
  const keys = await Promise.all(
    Array.from({ length: samples }, () => client.sendCommand(["RANDOMKEY"], BINARY)),
  );
  const encodings = await Promise.all(
    keys.filter((key) => Buffer.isBuffer(key)).map((key) => client.sendCommand(["OBJECT", "ENCODING", key])),
  );
  const counts: Record<string, number> = {};
  for (const encoding of encodings) counts[String(encoding)] = (counts[String(encoding)] ?? 0) + 1;
  return counts;
}
