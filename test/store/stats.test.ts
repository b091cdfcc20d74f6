import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/store/session.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, sweeperOf } from "../support/store-fixture.js";

const redis = useRedis();

/** The server's own listpack limits, read behind the store's back and restored after each test. */
let serverLimits: { entries: number; value: number };

beforeAll(async () => {
  const entries = await redis.raw("CONFIG", "GET", "hash-max-listpack-entries");
  const value = await redis.raw("CONFIG", "GET", "hash-max-listpack-value");
  serverLimits = {
    entries: Number(String((entries as Buffer[])[1])),
    value: Number(String((value as Buffer[])[1])),
  };
});

afterEach(async () => {
  await redis.raw(
    "CONFIG",
    "SET",
    "hash-max-listpack-entries",
    serverLimits.entries,
    "hash-max-listpack-value",
    serverLimits.value,
  );
});

async function hashStore(bucketBits: number, sessions: number, data: JsonObject = { u: 1 }) {
  const store = makeStore(redis, { strategy: "hash", bucketBits, codec: "none" });
  const { repository } = store;
  for (let i = 0; i < sessions; i++) await repository.create(data);
  return repository;
}

describe("store stats", () => {
  it("counts sessions and bucket fill exactly, with sampled encodings and record sizes", async () => {
    const repository = await hashStore(4, 100);
    const lengths: number[] = [];
    for (let i = 0; i < 16; i++)
      lengths.push(Number(await redis.raw("HLEN", sweeperOf(repository).layout.bucketAt(i))));
    const stats = await repository.stats();
    expect(stats.strategy).toBe("hash");
    expect(stats.sessions).toBe(100);
    expect(stats.exact).toBe(true);
    expect(stats.buckets).toEqual({
      count: 16,
      scanned: 16,
      empty: lengths.filter((n) => n === 0).length,
      min: Math.min(...lengths),
      mean: 100 / 16,
      max: Math.max(...lengths),
    });
    expect(stats.encodings).toEqual({ listpack: 16 - lengths.filter((n) => n === 0).length });
    // {"u":1} is 7 bytes after the 6-byte header (expiry, flags, version 1).
    expect(stats.recordBytes).toMatchObject({ mean: 13, max: 13 });
    expect(stats.recordBytes.sampled).toBeGreaterThan(0);
    expect(stats.listpackLimits).toEqual(serverLimits);
    expect(stats.advisories).toEqual([]);
    // MEMORY USAGE of the sampled buckets: every session costs at least its 13-byte record and 15-byte field.
    const memory = stats.memory;
    expect(memory?.sampledKeys).toBe(16 - lengths.filter((n) => n === 0).length);
    expect(memory?.bytesPerSession).toBeGreaterThan(13 + 15);
    expect(memory?.bytesPerSession).toBeLessThan(200);
    // bytesPerSession is rounded to 0.1 byte; the total is computed before rounding.
    expect(Math.abs((memory?.totalBytes ?? 0) - (memory?.bytesPerSession ?? 0) * 100)).toBeLessThanOrEqual(5);
  });

  it("warns when records exceed hash-max-listpack-value and buckets turn into hashtables", async () => {
    const repository = await hashStore(2, 20, { blob: "y".repeat(150) });
    // Keys are random: count the buckets that actually received sessions.
    let occupied = 0;
    for (let i = 0; i < 4; i++)
      occupied += Number(await redis.raw("HLEN", sweeperOf(repository).layout.bucketAt(i))) > 0 ? 1 : 0;
    const stats = await repository.stats();
    expect(stats.encodings).toEqual({ hashtable: occupied });
    expect(stats.advisories.join("\n")).toMatch(`exceed hash-max-listpack-value (${serverLimits.value})`);
    expect(stats.advisories.join("\n")).toMatch(`${occupied} of ${occupied} sampled buckets are hashtables`);
  });

  it("warns when buckets hold more fields than hash-max-listpack-entries", async () => {
    await redis.raw("CONFIG", "SET", "hash-max-listpack-entries", "4");
    const repository = await hashStore(1, 30);
    const stats = await repository.stats();
    expect(stats.buckets?.max).toBeGreaterThan(4);
    expect(stats.advisories.join("\n")).toMatch(
      /over hash-max-listpack-entries \(4\): raise bucketBits to \d+/,
    );
  });

  it("warns when there are far more buckets than the population fills", async () => {
    const repository = await hashStore(12, 10);
    const stats = await repository.stats();
    expect(stats.buckets?.count).toBe(4096);
    expect(stats.advisories.join("\n")).toMatch(/buckets hold 0\.00 sessions on average/);
  });

  it("counts string-strategy sessions by their exact key shape, ignoring other keys", async () => {
    const store = makeStore(redis, { strategy: "string", codec: "none" });
    const { repository } = store;
    for (let i = 0; i < 25; i++) await repository.create({ i });
    await redis.raw("SET", "t:not-a-session", "x");
    await redis.raw("SET", "other:0123456789abcdef", "x");
    const stats = await repository.stats({ sampleSize: 5 });
    expect(stats.sessions).toBe(25);
    expect(stats.exact).toBe(true);
    expect(stats.encodings).toEqual({ embstr: 5 });
    expect(stats.recordBytes.sampled).toBe(5);
    // A String key with its TTL costs far more than its ~14-byte record.
    expect(stats.memory?.sampledKeys).toBe(5);
    expect(stats.memory?.bytesPerSession).toBeGreaterThan(40);
  });
});
