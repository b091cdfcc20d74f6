import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, rawLocation, readRaw, sweeperOf } from "../support/store-fixture.js";

const redis = useRedis();

/** About 2 KiB of incompressible data: large enough that shipping values to Node would show in the byte count. */
const bulky = () => ({ blob: randomBytes(1024).toString("hex") });

/** A 16-bucket hash store with `live` sessions that outlive the sweep and `doomed` ones that expire before it. */
async function populated(live: number, doomed: number, bucketBits = 4) {
  const store = makeStore(redis, { strategy: "hash", bucketBits, codec: "none" });
  const { repository } = store;
  const liveKeys: string[] = [];
  const doomedKeys: string[] = [];
  for (let i = 0; i < live; i++) liveKeys.push((await repository.create(bulky(), { ttl: 3600 })).key);
  for (let i = 0; i < doomed; i++) doomedKeys.push((await repository.create(bulky(), { ttl: 10 })).key);
  store.clock.advanceSeconds(60);
  return { ...store, repository, sweeper: sweeperOf(repository), liveKeys, doomedKeys };
}

async function netOutputBytes(): Promise<number> {
  const info = String(await redis.raw("INFO", "stats"));
  return Number(/total_net_output_bytes:(\d+)/.exec(info)?.[1]);
}

describe("hash strategy sweep", () => {
  it("removes expired fields, keeps live ones, and reports what it did", async () => {
    const { repository, sweeper, config, liveKeys, doomedKeys } = await populated(60, 90);
    const report = await sweeper.sweep();
    expect(report).toMatchObject({
      bucketsScanned: 16,
      fieldsScanned: 150,
      fieldsRemoved: 90,
      corruptFields: 0,
      nextBucket: null,
    });
    for (const key of doomedKeys) expect(await readRaw(redis, config, key)).toBeNull();
    for (const key of liveKeys) expect(await repository.get(key)).not.toBeNull();
    expect((await sweeper.sweep()).fieldsRemoved).toBe(0);
  });

  it("never transfers values to Node: only EVALSHA calls, and reply bytes far below the values' size", async () => {
    const { sweeper } = await populated(40, 60);
    const monitor = await redis.newClient();
    const commands: string[][] = [];
    await monitor.monitor((line: string) => {
      // Lines look like: 1700000000.123456 [0 127.0.0.1:5555] "evalsha" "..." or [0 lua] "hgetall" ...
      const source = /\[\d+ ([^\]]+)\]/.exec(line)?.[1] ?? "";
      const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? "");
      commands.push([source === "lua" ? "lua" : "client", ...words.map((w) => w.toLowerCase())]);
    });
    const bytesBefore = await netOutputBytes();
    const report = await sweeper.sweep();
    const bytesAfter = await netOutputBytes();
    // MONITOR reports commands in the order Redis ran them: once it has shown the INFO that followed the sweep,
    // it has shown every command of the sweep.
    await expect.poll(() => commands.filter(([, name]) => name === "info").length).toBe(2);
    await monitor.close();

    expect(report.fieldsRemoved).toBe(60);
    const fromClient = commands.filter(([source, name]) => source === "client" && name !== "info");
    expect(fromClient.length).toBe(16);
    for (const [, name] of fromClient) expect(["evalsha", "eval"]).toContain(name);
    expect(commands.some(([source, name]) => source === "lua" && name === "hgetall")).toBe(true);
    // 100 sessions of ~2 KiB each are ~200 KiB; the sweep's replies (plus two INFO replies) are a few KiB.
    expect(bytesAfter - bytesBefore).toBeLessThan(16 * 1024);
  });

  it("is budgeted: walks buckets in order and resumes where it stopped", async () => {
    const { sweeper, doomedKeys } = await populated(20, 50);
    const reports = [];
    let next: number | null = 0;
    while (next !== null) {
      const report = await sweeper.sweep({ fromBucket: next, maxBuckets: 5 });
      reports.push(report);
      next = report.nextBucket;
    }
    expect(reports.map((r) => r.bucketsScanned)).toEqual([5, 5, 5, 1]);
    expect(reports.map((r) => r.nextBucket)).toEqual([5, 10, 15, null]);
    expect(reports.reduce((n, r) => n + r.fieldsRemoved, 0)).toBe(doomedKeys.length);
    expect(reports.reduce((n, r) => n + r.fieldsScanned, 0)).toBe(70);
  });

  it("reports progress as it goes", async () => {
    const { sweeper } = await populated(1, 1);
    const progress: [number, number][] = [];
    await sweeper.sweep({ onProgress: (done, total) => progress.push([done, total]) });
    expect(progress.at(-1)).toEqual([16, 16]);
  });

  it("is not stopped by garbage fields or a foreign key where a bucket should be", async () => {
    const { repository, sweeper, config, liveKeys, doomedKeys } = await populated(30, 30, 8);
    const someBucket = rawLocation(config, liveKeys[0] ?? "").redisKey;
    await redis.raw("HSET", someBucket, "short", "ab", "empty", "", "badformat", Buffer.alloc(20, 7));
    // A key of another type at the position of a bucket holding no test session.
    const occupied = new Set(
      [...liveKeys, ...doomedKeys].map((k) => rawLocation(config, k).redisKey.toString("hex")),
    );
    const freeIndex = Array.from({ length: 256 }, (_, i) => i).find(
      (i) => !occupied.has(sweeper.layout.bucketAt(i).toString("hex")),
    );
    expect(freeIndex).toBeDefined();
    await redis.raw("SET", sweeper.layout.bucketAt(freeIndex ?? 0), "not a hash");

    const report = await sweeper.sweep();
    expect(report.corruptFields).toBe(3);
    expect(report.fieldsRemoved).toBe(30);
    expect(report.nextBucket).toBeNull();
    expect(await redis.raw("HEXISTS", someBucket, "short")).toBe(1);
    for (const key of liveKeys) expect(await repository.get(key)).not.toBeNull();
  });
});
