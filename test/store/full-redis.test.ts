import { afterEach, describe, expect, it } from "vitest";
import { SweepScheduler } from "../../src/server/sweep-scheduler.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { BackendFullError } from "../../src/store/errors.js";
import { FULL_REDIS_MESSAGE } from "../../src/store/redis/full-redis-reporter.js";
import type { StoreObserver } from "../../src/store/store-context.js";
import { usePrivateRedis } from "../support/extra-redis.js";
import { rawLocation, readRaw, storeConfig, strategies, TestClock } from "../support/store-fixture.js";

// maxmemory is changed here, which the worker's shared Redis must never see.
const redis = usePrivateRedis(["--maxmemory-policy", "noeviction"]);

/**
 * Makes Redis full: a limit of 1 byte is below what any server uses, so under noeviction every command that may
 * grow memory is refused from now on, as when sessions have filled it (test/server/full-redis.test.ts fills one).
 */
const fill = () => redis.raw("CONFIG", "SET", "maxmemory", 1);
/** Gives Redis room again. */
const free = () => redis.raw("CONFIG", "SET", "maxmemory", 0);

afterEach(free);

/** A store over the private Redis with a clock, a captured log and counted refusals and saves. */
function fullStore(overrides: Record<string, unknown>) {
  const clock = new TestClock();
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const refusals: string[] = [];
  const saves: string[] = [];
  const observer: StoreObserver = {
    backendFull: (store) => refusals.push(store),
    saved: (_store, condition, result) => saves.push(`${condition}:${result}`),
  };
  const config = storeConfig({ defaultTtl: 3600, ...overrides });
  const repository = createSessionRepository(config, redis.client, {
    clock: clock.now,
    observer,
    logger: { warn: (fields, message) => lines.push({ fields, message }) },
  });
  const fullLines = () => lines.filter((line) => line.message === FULL_REDIS_MESSAGE);
  return { repository, config, clock, refusals, saves, fullLines };
}

describe.each(strategies)("%s strategy in a full Redis (noeviction)", (strategy) => {
  it("refuses every write with BackendFullError and writes nothing; counts each refusal, logs one line", async () => {
    const { repository, config, refusals, saves, fullLines } = fullStore({ strategy });
    const session = await repository.create({ user: "ada" });
    const stored = await readRaw(redis, config, session.key);
    await fill();

    await expect(repository.create({ user: "bob" })).rejects.toThrow(BackendFullError);
    await expect(repository.save(session.key, { user: "eve" })).rejects.toThrow(BackendFullError);
    await expect(
      repository.save(session.key, { user: "eve" }, { condition: { kind: "version", expected: 1 } }),
    ).rejects.toThrow(BackendFullError);
    await expect(repository.touch(session.key, { ttl: 60 })).rejects.toThrow(BackendFullError);
    await expect(repository.rotate(session.key)).rejects.toThrow(BackendFullError);

    // Nothing changed: same bytes (version, expiry, data) under the same key, and no other session.
    expect(await readRaw(redis, config, session.key)).toEqual(stored);
    expect(await repository.get(session.key)).toEqual(session);
    expect(refusals).toEqual(Array(5).fill("test"));
    expect(saves).toEqual([
      "mustCreate:ok",
      "mustCreate:backend_full",
      "upsert:backend_full",
      "version:backend_full",
    ]);
    // One line for five refusals (the clock did not move), without a stack trace.
    expect(fullLines()).toHaveLength(1);
    expect(fullLines()[0]?.fields).toMatchObject({ store: "test", refusals: 1 });
    expect(JSON.stringify(fullLines())).not.toContain("stack");
  });

  it("keeps serving reads and deletes; a read with touch answers the session with its expiry unslid", async () => {
    const { repository, refusals } = fullStore({ strategy });
    const kept = await repository.create({ n: 1 }, { ttl: 600 });
    const doomed = await repository.create({ n: 2 });
    const absent = "0".repeat(32);
    await fill();

    expect(await repository.get(kept.key)).toEqual(kept);
    expect(await repository.getMany([kept.key, doomed.key, absent])).toEqual({
      found: [kept, doomed],
      missing: [absent],
      corrupt: [],
    });
    // The touch is refused, the read is not: the session as stored, its expiry where it was.
    expect(await repository.get(kept.key, { touch: true, ttl: 3000 })).toEqual(kept);
    expect(refusals).toHaveLength(1);
    expect(await repository.delete(doomed.key)).toBe(true);
    expect(await repository.get(doomed.key)).toBeNull();
    expect(await repository.get(absent, { touch: true })).toBeNull();
  });

  it("takes writes again once Redis has room, and logs the next refusal after the interval", async () => {
    const { repository, clock, fullLines } = fullStore({ strategy });
    await fill();
    for (let i = 0; i < 3; i++) await expect(repository.create({})).rejects.toThrow(BackendFullError);
    await free();
    const created = await repository.create({ back: true });
    expect(await repository.get(created.key)).toEqual(created);
    await fill();
    clock.advanceSeconds(10);
    await expect(repository.create({})).rejects.toThrow(BackendFullError);
    expect(fullLines().map((line) => line.fields.refusals)).toEqual([1, 3]);
  });
});

describe("hash strategy in a full Redis", () => {
  it("still deletes an expired field that a read meets (GetSession and BatchGetSessions paths)", async () => {
    const { repository, config, clock } = fullStore({ strategy: "hash", bucketBits: 4 });
    const first = await repository.create({ n: 1 }, { ttl: 60 });
    const second = await repository.create({ n: 2 }, { ttl: 60 });
    const live = await repository.create({ n: 3 }, { ttl: 3600 });
    clock.advanceSeconds(61);
    await fill();
    const fieldExists = (key: string) => {
      const { redisKey, field } = rawLocation(config, key);
      return redis.raw("HEXISTS", redisKey, field ?? Buffer.alloc(0));
    };

    expect(await repository.get(first.key)).toBeNull();
    expect(await fieldExists(first.key)).toBe(0);
    const batch = await repository.getMany([second.key, live.key]);
    expect(batch.missing).toEqual([second.key]);
    expect(batch.found.map((session) => session.key)).toEqual([live.key]);
    expect(await fieldExists(second.key)).toBe(0);
    expect(await fieldExists(live.key)).toBe(1);
  });

  it("is still swept: the sweeper takes its lease, removes expired sessions and stores its cursor", async () => {
    const { repository, clock } = fullStore({ strategy: "hash", bucketBits: 4 });
    for (let i = 0; i < 20; i++) await repository.create({ i }, { ttl: 60 });
    await repository.create({ live: true }, { ttl: 3600 });
    clock.advanceSeconds(61);
    await fill();
    const scheduler = new SweepScheduler([{ name: "test", repository, client: redis.client }], {
      intervalMs: 0,
      bucketsPerRun: 8,
      leaseMs: 30_000,
    });
    try {
      const [run] = await scheduler.runOnce();
      if (run?.outcome !== "swept") throw new Error(`sweep did not run: ${JSON.stringify(run)}`);
      expect(run.report.bucketsScanned).toBe(8);
      expect(run.report.cursorSaved).toBe(true);
      const [rest] = await scheduler.runOnce();
      if (rest?.outcome !== "swept") throw new Error(`sweep did not run: ${JSON.stringify(rest)}`);
      expect(rest.report.fromBucket).toBe(8);
      expect(run.report.fieldsRemoved + rest.report.fieldsRemoved).toBe(20);
    } finally {
      await scheduler.stop();
    }
  });
});
