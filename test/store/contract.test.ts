import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codecByName } from "../../src/codec/codec-registry.js";
import {
  CorruptRecordError,
  InvalidArgumentError,
  InvalidKeyError,
  SessionExistsError,
  SessionNotFoundError,
  SessionTooLargeError,
  VersionConflictError,
} from "../../src/store/errors.js";
import { payloadOf, type RecordHeader, readHeader } from "../../src/store/records/record.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, rawLocation, readRaw, strategyCodecMatrix, writeRaw } from "../support/store-fixture.js";

const redis = useRedis();

/** Data large and repetitive enough that every codec shrinks it (well over compressMinBytes). */
const compressible = { cart: Array.from({ length: 40 }, (_, i) => ({ sku: `item-${i % 5}`, qty: 1 })) };

const seconds = (date: Date | undefined) => {
  if (date === undefined) throw new Error("no date");
  return date.getTime() / 1000;
};

/** The header of a stored record; fails the test when it is malformed. */
function headerOf(record: Buffer | null): RecordHeader {
  const header = record === null ? null : readHeader(record);
  if (header === null) throw new Error("no readable record");
  return header;
}

describe.each(strategyCodecMatrix)("$strategy strategy, $codec codec", ({ strategy, codec }) => {
  const setup = (overrides: Record<string, unknown> = {}) =>
    makeStore(redis, { strategy, codec, ...overrides });

  it("creates an empty session under a fresh key, stored behind a 6-byte header with its expiry", async () => {
    const { repository, config, clock } = setup({ defaultTtl: 3600 });
    const session = await repository.create();
    expect(session.key).toMatch(/^[0-9a-f]{32}$/);
    expect(session.data).toEqual({});
    expect(session.version).toBe(1);
    const now = Math.floor(clock.ms / 1000);
    // No maxLifetime: the store records no creation time. No TTL asked: the session follows the store's default.
    expect(session.createdAt).toBeUndefined();
    expect(session.idleTtl).toBe(3600);
    expect(seconds(session.expiresAt)).toBe(now + 3600);

    const record = (await readRaw(redis, config, session.key)) as Buffer;
    // expiry, flags (format 2, no TTL of its own, no creation time, codec 0: "{}" is far below compressMinBytes),
    // version 1 as a one-byte varint.
    const expected = Buffer.alloc(6);
    expected.writeUInt32BE(now + 3600, 0);
    expected[4] = 0x80;
    expected[5] = 1;
    expect(record.subarray(0, 6)).toEqual(expected);
    expect(record.subarray(6).toString()).toBe("{}");

    const { redisKey } = rawLocation(config, session.key);
    if (strategy === "string") {
      expect(String(await redis.raw("TYPE", redisKey))).toBe("string");
      expect(Number(await redis.raw("EXPIRETIME", redisKey))).toBe(now + 3600);
    } else {
      expect(String(await redis.raw("TYPE", redisKey))).toBe("hash");
      expect(Number(await redis.raw("TTL", redisKey))).toBe(-1); // buckets never expire; fields carry expiry
      expect(String(await redis.raw("OBJECT", "ENCODING", redisKey))).toBe("listpack");
    }
    expect(await repository.get(session.key)).toEqual(session);
  });

  it("saves, then reads back the data; each save bumps the version and keeps the creation time", async () => {
    const { repository, clock } = setup({ maxLifetime: 30 * 86_400 });
    const created = await repository.create({ user: 1 });
    expect(seconds(created.createdAt)).toBe(Math.floor(clock.ms / 1000));
    clock.advanceSeconds(5);
    const saved = await repository.save(created.key, { user: 1, theme: "dark" });
    expect(saved.version).toBe(2);
    expect(saved.createdAt).toEqual(created.createdAt);
    expect(seconds(saved.expiresAt)).toBe(Math.floor(clock.ms / 1000) + 14 * 86_400);
    const read = await repository.get(created.key);
    expect(read).toEqual(saved);
    expect(read?.data).toEqual({ user: 1, theme: "dark" });
  });

  it("compresses payloads of at least compressMinBytes when that makes them smaller", async () => {
    const { repository, config } = setup();
    const json = Buffer.from(JSON.stringify(compressible));
    expect(json.byteLength).toBeGreaterThanOrEqual(config.compressMinBytes);
    const session = await repository.create(compressible);
    const record = (await readRaw(redis, config, session.key)) as Buffer;
    const header = headerOf(record);
    const codecImpl = codecByName(codec);
    expect(header.codecId).toBe(codecImpl.id);
    const payload = payloadOf(record, header);
    if (codec === "none") expect(payload.equals(json)).toBe(true);
    else expect(payload.byteLength).toBeLessThan(json.byteLength);
    expect(codecImpl.decompress(payload, 1 << 20).equals(json)).toBe(true);
    expect((await repository.get(session.key))?.data).toEqual(compressible);
  });

  it("reads records written with any codec, so a store can change codec without a migration", async () => {
    const { config } = setup();
    const writers = ["none", "zstd", "gzip", "brotli"].map((other) => setup({ codec: other }).repository);
    const reader = setup().repository;
    for (const writer of writers) {
      const session = await writer.create(compressible);
      expect((await reader.get(session.key))?.data).toEqual(compressible);
    }
    expect(config.codec).toBe(codec);
  });

  it("answers null for a missing key and creates nothing", async () => {
    const { repository } = setup();
    const key = randomBytes(16).toString("hex");
    expect(await repository.get(key)).toBeNull();
    expect(await repository.get(key, { touch: true })).toBeNull();
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("deletes: gone afterwards, idempotent, and says whether the session was there", async () => {
    const { repository, config } = setup();
    const session = await repository.create({ a: 1 });
    expect(await repository.delete(session.key)).toBe(true);
    expect(await repository.get(session.key)).toBeNull();
    expect(await readRaw(redis, config, session.key)).toBeNull();
    expect(await repository.delete(session.key)).toBe(false);
  });

  it("rotates: same data, version and times under a new key; the old key is gone", async () => {
    const { repository, config } = setup();
    const session = await repository.create(compressible);
    const rotated = await repository.rotate(session.key);
    expect(rotated.key).not.toBe(session.key);
    expect(rotated.key).toMatch(/^[0-9a-f]{32}$/);
    expect({ ...rotated, key: session.key }).toEqual(session);
    expect(await repository.get(session.key)).toBeNull();
    expect(await readRaw(redis, config, session.key)).toBeNull();
    expect(await repository.get(rotated.key)).toEqual(rotated);
    if (strategy === "hash") {
      // Same bucket: the rotation is one script on one key.
      expect(rawLocation(config, rotated.key).redisKey).toEqual(rawLocation(config, session.key).redisKey);
    }
    await expect(repository.rotate(session.key)).rejects.toThrow(SessionNotFoundError);
  });

  it("refuses malformed keys before any Redis call, and never stores under them", async () => {
    const { repository, warnings } = setup({ logKeyErrors: true });
    const bad = [
      "",
      "abc",
      "A".repeat(32),
      `${"0".repeat(31)}g`,
      ` ${"0".repeat(31)}`,
      "0".repeat(33),
      "../x",
    ];
    const commandsProcessed = async () => {
      const info = String(await redis.raw("INFO", "stats"));
      return Number(/total_commands_processed:(\d+)/.exec(info)?.[1]);
    };
    const baseline = (await commandsProcessed()) - (await commandsProcessed());
    const before = await commandsProcessed();
    for (const key of bad) {
      await expect(repository.get(key)).rejects.toThrow(InvalidKeyError);
      await expect(repository.save(key, { a: 1 })).rejects.toThrow(InvalidKeyError);
      await expect(repository.touch(key)).rejects.toThrow(InvalidKeyError);
      await expect(repository.delete(key)).rejects.toThrow(InvalidKeyError);
      await expect(repository.rotate(key)).rejects.toThrow(InvalidKeyError);
      await expect(repository.getMany([key])).rejects.toThrow(InvalidKeyError);
    }
    const after = await commandsProcessed();
    expect(before - after).toBe(baseline); // only the INFO calls themselves were processed
    expect(await redis.raw("DBSIZE")).toBe(0);

    // Logged redacted: every refusal once, never the key itself.
    expect(warnings).toHaveLength(bad.length * 6);
    for (const { fields } of warnings) {
      const logged = JSON.stringify(fields);
      for (const key of bad.filter((k) => k.length > 3)) expect(logged).not.toContain(key);
    }
    const quiet = setup({ logKeyErrors: false });
    await expect(quiet.repository.get("nope")).rejects.toThrow(InvalidKeyError);
    expect(quiet.warnings).toEqual([]);
  });

  it("cannot load a session saved with an expiry in the past", async () => {
    const { repository, clock, config } = setup();
    const key = randomBytes(16).toString("hex");
    clock.advanceSeconds(-3600); // the writer's clock is an hour behind: the expiry it writes has passed
    await repository.save(key, { a: 1 }, { ttl: 60 });
    clock.advanceSeconds(3600);
    expect(await repository.get(key)).toBeNull();
    expect(await repository.getMany([key])).toEqual({ found: [], missing: [key], corrupt: [] });
    await expect(repository.touch(key)).rejects.toThrow(SessionNotFoundError);
    // string: Redis dropped it (EXAT in the past); hash: the read removed the expired field.
    await repository.get(key);
    expect(await readRaw(redis, config, key)).toBeNull();
  });

  it("reads a live session with one plain command; a read alone removes an expired one", async () => {
    const { repository, clock, config } = setup();
    const live = await repository.create({ a: 1 });
    const expired = randomBytes(16).toString("hex");
    clock.advanceSeconds(-3600);
    await repository.save(expired, { b: 2 }, { ttl: 60 });
    clock.advanceSeconds(3600);
    await redis.raw("CONFIG", "RESETSTAT");
    expect(await repository.get(live.key)).toEqual(live);
    const stats = async () => String(await redis.raw("INFO", "commandstats"));
    const calls = (all: string, command: string) =>
      Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(all)?.[1] ?? 0);
    const afterLive = await stats();
    expect(calls(afterLive, strategy === "string" ? "get" : "hget")).toBe(1);
    expect(calls(afterLive, "evalsha") + calls(afterLive, "eval")).toBe(0);

    expect(await repository.get(expired)).toBeNull();
    // string: Redis dropped it (EXAT in the past); hash: the read found it dead and removed it by script.
    expect(await readRaw(redis, config, expired)).toBeNull();
  });

  it("must-exist never resurrects a session deleted meanwhile", async () => {
    const { repository, config } = setup();
    const session = await repository.create({ a: 1 });
    await repository.delete(session.key); // a logout in another request
    await expect(
      repository.save(session.key, { a: 2 }, { condition: { kind: "mustExist" } }),
    ).rejects.toThrow(SessionNotFoundError);
    expect(await readRaw(redis, config, session.key)).toBeNull();
    const live = await repository.create({ a: 1 });
    const saved = await repository.save(live.key, { a: 3 }, { condition: { kind: "mustExist" } });
    expect(saved.version).toBe(2);
  });

  it("must-create never overwrites, and leaves the existing session's expiry alone", async () => {
    const { repository, config } = setup();
    const session = await repository.create({ owner: "first" }, { ttl: 100 });
    const before = await readRaw(redis, config, session.key);
    await expect(
      repository.save(session.key, { owner: "second" }, { ttl: 5000, condition: { kind: "mustCreate" } }),
    ).rejects.toThrow(SessionExistsError);
    expect(await readRaw(redis, config, session.key)).toEqual(before);
    expect(await repository.get(session.key)).toEqual(session);
    if (strategy === "string") {
      const ttl = Number(await redis.raw("TTL", rawLocation(config, session.key).redisKey));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(100);
    }
  });

  it("expected-version saves are compare-and-set", async () => {
    const { repository } = setup();
    const session = await repository.create({ n: 0 });
    const next = await repository.save(
      session.key,
      { n: 1 },
      { condition: { kind: "version", expected: 1 } },
    );
    expect(next.version).toBe(2);
    const stale = repository.save(session.key, { n: 99 }, { condition: { kind: "version", expected: 1 } });
    await expect(stale).rejects.toThrow(VersionConflictError);
    await expect(stale).rejects.toMatchObject({ currentVersion: 2 });
    expect((await repository.get(session.key))?.data).toEqual({ n: 1 });
    await repository.delete(session.key);
    await expect(
      repository.save(session.key, { n: 2 }, { condition: { kind: "version", expected: 2 } }),
    ).rejects.toThrow(SessionNotFoundError);
    for (const expected of [0, -1, 1.5, 2 ** 31, 2 ** 32]) {
      await expect(
        repository.save(session.key, {}, { condition: { kind: "version", expected } }),
      ).rejects.toThrow(InvalidArgumentError);
    }
  });

  it("refuses data holding NaN or Infinity at any depth (JSON would turn them into null), keeps real nulls", async () => {
    const { repository } = setup();
    const session = await repository.create({ n: 1 });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      await expect(repository.save(session.key, { deep: { list: [null, bad] } })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(repository.create({ x: bad })).rejects.toThrow(InvalidArgumentError);
    }
    expect((await repository.get(session.key))?.data).toEqual({ n: 1 });
    await repository.save(session.key, { deep: { list: [null, 0, -0.5] } });
    expect((await repository.get(session.key))?.data).toEqual({ deep: { list: [null, 0, -0.5] } });
  });

  it("touch rewrites only the expiry; get with touch slides it in the same call", async () => {
    const { repository, config, clock } = setup();
    const session = await repository.create(compressible, { ttl: 100 });
    const before = (await readRaw(redis, config, session.key)) as Buffer;
    clock.advanceSeconds(30);
    const stamp = await repository.touch(session.key);
    let now = Math.floor(clock.ms / 1000);
    // No TTL given: the session's own idle TTL (100), not the store's default.
    expect(seconds(stamp.expiresAt)).toBe(now + 100);
    expect(stamp.idleTtl).toBe(100);
    expect(stamp.version).toBe(session.version);
    const after = (await readRaw(redis, config, session.key)) as Buffer;
    expect(after.readUInt32BE(0)).toBe(now + 100);
    expect(after.subarray(4).equals(before.subarray(4))).toBe(true);
    if (strategy === "string") {
      expect(Number(await redis.raw("EXPIRETIME", rawLocation(config, session.key).redisKey))).toBe(
        now + 100,
      );
    }

    // A new TTL becomes the session's idle TTL: the header is rewritten around the same payload.
    clock.advanceSeconds(10);
    now = Math.floor(clock.ms / 1000);
    const longer = await repository.touch(session.key, { ttl: 500 });
    expect(seconds(longer.expiresAt)).toBe(now + 500);
    expect(longer.idleTtl).toBe(500);
    const rewritten = (await readRaw(redis, config, session.key)) as Buffer;
    expect(headerOf(rewritten)).toMatchObject({ expiresAt: now + 500, idleTtl: 500, version: 1 });
    expect(payloadOf(rewritten, headerOf(rewritten))).toEqual(payloadOf(before, headerOf(before)));
    if (strategy === "string") {
      expect(Number(await redis.raw("EXPIRETIME", rawLocation(config, session.key).redisKey))).toBe(
        now + 500,
      );
    }

    clock.advanceSeconds(10);
    const touched = await repository.get(session.key, { touch: true, ttl: 200 });
    expect(touched?.data).toEqual(compressible);
    expect(touched?.idleTtl).toBe(200);
    expect(seconds(touched?.expiresAt)).toBe(now + 10 + 200);
    expect(headerOf(await readRaw(redis, config, session.key)).expiresAt).toBe(now + 210);
    clock.advanceSeconds(10);
    const slid = await repository.get(session.key, { touch: true });
    expect(seconds(slid?.expiresAt)).toBe(now + 20 + 200);
    await expect(repository.touch(randomBytes(16).toString("hex"))).rejects.toThrow(SessionNotFoundError);
  });

  it("ends a session at its absolute lifetime however often it is touched", async () => {
    const { repository, clock } = setup({ maxLifetime: 100 });
    const session = await repository.create({ a: 1 }, { ttl: 60 });
    clock.advanceSeconds(50);
    const touched = await repository.touch(session.key, { ttl: 1000 });
    expect(seconds(touched.expiresAt)).toBe(seconds(session.createdAt) + 100);
    clock.advanceSeconds(40);
    const saved = await repository.save(session.key, { a: 2 }, { ttl: 1000 });
    expect(seconds(saved.expiresAt)).toBe(seconds(session.createdAt) + 100);
    clock.advanceSeconds(11);
    expect(await repository.get(session.key)).toBeNull();
    await expect(repository.touch(session.key)).rejects.toThrow(SessionNotFoundError);
    // Past its lifetime the key holds no session: an upsert starts a new one (version 1, new creation time).
    const fresh = await repository.save(session.key, { a: 3 });
    expect(fresh.version).toBe(1);
    expect(seconds(fresh.createdAt)).toBe(Math.floor(clock.ms / 1000));
  });

  it("refuses bad TTLs and oversized data without touching Redis", async () => {
    const { repository } = setup({ maxTtl: 1000, defaultTtl: 500, maxSessionBytes: 1024 });
    const key = randomBytes(16).toString("hex");
    for (const ttl of [0, -1, 1.5, 1001, Number.NaN]) {
      await expect(repository.save(key, {}, { ttl })).rejects.toThrow(InvalidArgumentError);
      await expect(repository.create({}, { ttl })).rejects.toThrow(InvalidArgumentError);
      await expect(repository.touch(key, { ttl })).rejects.toThrow(InvalidArgumentError);
    }
    const big = { blob: "x".repeat(1024) };
    await expect(repository.save(key, big)).rejects.toThrow(SessionTooLargeError);
    await expect(repository.save(key, [] as never)).rejects.toThrow(InvalidArgumentError);
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("reads many at once: found, missing and corrupt are reported per key", async () => {
    const { repository, config } = setup();
    const a = await repository.create({ a: 1 });
    const b = await repository.create({ b: 2 });
    const broken = await repository.create({ c: 3 });
    const record = (await readRaw(redis, config, broken.key)) as Buffer;
    await writeRaw(
      redis,
      config,
      broken.key,
      Buffer.concat([record.subarray(0, headerOf(record).headerBytes), Buffer.from("{")]),
    );
    const missing = randomBytes(16).toString("hex");
    const result = await repository.getMany([a.key, missing, b.key, a.key, broken.key]);
    expect(result.found).toEqual([a, b]);
    expect(result.missing).toEqual([missing]);
    expect(result.corrupt).toEqual([broken.key]);
    expect(await repository.getMany([])).toEqual({ found: [], missing: [], corrupt: [] });
  });

  it("reads a batch across buckets in one Redis command, and drops expired fields on the way", async () => {
    // 2 bucket bits: 40 sessions fill every bucket, so the batch spans all of them.
    const { repository, config, clock } = setup({ bucketBits: 2 });
    const live = await Promise.all(
      Array.from({ length: 40 }, (_, i) => repository.create({ i }, { ttl: 600 })),
    );
    const shortLived = await repository.create({ short: true }, { ttl: 5 });
    clock.advanceSeconds(10);
    await redis.raw("CONFIG", "RESETSTAT");
    const result = await repository.getMany([...live.map((s) => s.key), shortLived.key]);
    expect(result.found).toEqual(live);
    expect(result.missing).toEqual([shortLived.key]);
    const stats = String(await redis.raw("INFO", "commandstats"));
    const calls = (command: string) =>
      Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    if (strategy === "string") {
      expect(calls("mget")).toBe(1);
      expect(calls("get")).toBe(0);
    } else {
      // EVALSHA, plus an EVAL after NOSCRIPT the first time the server meets the script.
      expect(calls("evalsha")).toBe(1);
      expect(calls("eval")).toBeLessThanOrEqual(1);
      expect(calls("hget")).toBe(41);
      expect(calls("hdel")).toBe(1);
      expect(await readRaw(redis, config, shortLived.key)).toBeNull();
    }
  });

  it("reads a batch larger than one script call takes (65,535 keys) in order, every key answered", async () => {
    const { repository } = setup({ bucketBits: 24 }); // ~70,000 distinct buckets: past a uint16 index
    const live = await Promise.all(Array.from({ length: 3 }, (_, i) => repository.create({ i })));
    // Mostly absent keys: the 65,536th and later fall in the second slice, with a live one on each side of it.
    const absent = Array.from({ length: 70_000 }, () => randomBytes(16).toString("hex"));
    const keys = [
      live[0]?.key ?? "",
      ...absent.slice(0, 65_534),
      live[1]?.key ?? "",
      ...absent.slice(65_534),
    ];
    keys.push(live[2]?.key ?? "");
    const result = await repository.getMany(keys);
    expect(result.found).toEqual(live);
    expect(result.missing).toEqual(absent);
    expect(result.corrupt).toEqual([]);
  });

  it("reports a corrupt record as such and keeps serving the others", async () => {
    const { repository, config } = setup();
    const good = await repository.create({ ok: true });
    const bad = await repository.create({ ok: false });
    await writeRaw(redis, config, bad.key, Buffer.from("garbage"));
    await expect(repository.get(bad.key)).rejects.toThrow(CorruptRecordError);
    await expect(repository.get(bad.key, { touch: true })).rejects.toThrow(CorruptRecordError);
    await expect(repository.touch(bad.key)).rejects.toThrow(CorruptRecordError);
    await expect(repository.rotate(bad.key)).rejects.toThrow(CorruptRecordError);
    await expect(repository.save(bad.key, {}, { condition: { kind: "mustExist" } })).rejects.toThrow(
      CorruptRecordError,
    );
    await expect(repository.save(bad.key, {}, { condition: { kind: "mustCreate" } })).rejects.toThrow(
      SessionExistsError,
    );
    expect(await readRaw(redis, config, bad.key)).toEqual(Buffer.from("garbage"));
    expect(await repository.get(good.key)).toEqual(good);
    expect(await repository.delete(bad.key)).toBe(true);
  });
});
