import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SaveCondition, SessionServiceError } from "../../src/client/index.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { FULL_REDIS_MESSAGE } from "../../src/store/redis/full-redis-reporter.js";
import { createRedisClient } from "../../src/store/redis/redis-connection.js";
import { scrape } from "../metrics/prometheus-text.js";
import { failureOf } from "../support/call-helpers.js";
import { captureLog } from "../support/log-capture.js";
import { usePrivateServer } from "../support/private-server-fixture.js";
import { serverConfig } from "../support/server-fixture.js";
import { rawLocation, TestClock } from "../support/store-fixture.js";

/** Room given to sessions above what Redis uses when the test starts. */
const ROOM_BYTES = 256 * 1024;
/** Creates allowed before the test gives up on filling Redis (a 256 KiB room holds a few hundred sessions). */
const MAX_CREATES = 5_000;
/** Refused creates after the first, all of which the log must fold into the one line. */
const MORE_REFUSALS = 20;

/** Session data of ~1.5 KB that no codec shrinks much. */
const bulky = () => ({ blob: randomBytes(768).toString("hex") });

describe.each([
  { store: "default", strategy: "hash" },
  { store: "strings", strategy: "string" },
])("a full Redis (noeviction) under the $strategy store", ({ store, strategy }) => {
  const clock = new TestClock();
  const log = captureLog("info");
  const served = usePrivateServer({
    redisArgs: ["--maxmemory-policy", "noeviction"],
    logger: log.logger,
    clock: clock.now,
    server: { sweep: { intervalMs: 0 } },
  });

  /** A command to the test's Redis, behind the service's back. */
  async function redisCommand(...args: string[]): Promise<string> {
    const client = createRedisClient({ name: "test", url: served.redis.url, connectTimeoutMs: 2_000 });
    await client.connect();
    try {
      return String(await client.sendCommand(args));
    } finally {
      client.destroy();
    }
  }
  const usedMemory = async () =>
    Number(/^used_memory:(\d+)/m.exec(await redisCommand("INFO", "memory"))?.[1] ?? Number.NaN);

  const storeConfig = () => {
    const config = serverConfig({ redisUrl: served.redis.url }).stores[store];
    if (config === undefined) throw new Error(`no store ${store}`);
    return config;
  };

  /** Whether Redis holds a record under `key` (a hash store's field, a string store's key), live or not. */
  async function recordStored(key: string): Promise<boolean> {
    const { redisKey, field } = rawLocation(storeConfig(), key);
    const client = createRedisClient({ name: "test", url: served.redis.url, connectTimeoutMs: 2_000 });
    await client.connect();
    try {
      const reply = await client.sendCommand(
        field === undefined ? ["EXISTS", redisKey] : ["HEXISTS", redisKey, field],
      );
      return Number(reply) === 1;
    } finally {
      client.destroy();
    }
  }

  /** Sessions of the store written an hour ago with a one-minute TTL: expired, still stored by a hash store. */
  async function expiredSessions(count: number): Promise<string[]> {
    const config = storeConfig();
    const client = createRedisClient({ name: "past", url: served.redis.url, connectTimeoutMs: 2_000 });
    await client.connect();
    try {
      const past = createSessionRepository(config, client, { clock: () => clock.ms - 3_600_000 });
      const keys: string[] = [];
      for (let i = 0; i < count; i++) keys.push((await past.create({ old: i }, { ttl: 60 })).key);
      return keys;
    } finally {
      client.destroy();
    }
  }

  it("answers RESOURCE_EXHAUSTED to writes, keeps serving reads, counts and logs once, and recovers", async () => {
    const api = served.client;
    const kept = await Promise.all(
      [1, 2, 3].map(
        async (n) => (await api.createSession({ store, content: { case: "data", value: { n } } })).session,
      ),
    );
    const [first = "", second = "", doomed = ""] = kept.map((session) => session?.key ?? "");
    const [expiredFirst = "", expiredSecond = ""] = await expiredSessions(2);
    const expired = [expiredFirst, expiredSecond];
    const absent = "f".repeat(32);
    const before = await scrape(served.server.metricsPort);

    await redisCommand("CONFIG", "SET", "maxmemory", String((await usedMemory()) + ROOM_BYTES));
    let created = 0;
    let refusal: unknown;
    while (refusal === undefined && created < MAX_CREATES) {
      try {
        await api.createSession({ store, content: { case: "data", value: bulky() } });
        created += 1;
      } catch (error) {
        refusal = error;
      }
    }
    expect(created).toBeGreaterThan(10);
    expect(refusal).toBeInstanceOf(SessionServiceError);
    expect((refusal as SessionServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((refusal as SessionServiceError).details).toMatch(/out of memory/);
    // Its own reason: a client tells a full Redis from a session too large (also RESOURCE_EXHAUSTED).
    expect((refusal as SessionServiceError).reason).toBe("BACKEND_FULL");
    // Full now. Redis trims idle client buffers (clientsCron), which can free a few KiB and let one more write
    // through; a limit well below what it uses keeps it full for the rest of the test, as a full Redis stays.
    await redisCommand("CONFIG", "SET", "maxmemory", String(Math.floor((await usedMemory()) / 2)));
    const linesBefore = log.records().length;
    // A hash store still holds its expired sessions (the sweep is off); Redis itself removed the string ones.
    for (const key of expired) expect(await recordStored(key)).toBe(strategy === "hash");

    for (let i = 0; i < MORE_REFUSALS; i++) {
      expect(
        (await failureOf(api.createSession({ store, content: { case: "data", value: { n: i } } }))).code,
      ).toBe(status.RESOURCE_EXHAUSTED);
    }
    const save = api.saveSession({
      store,
      key: first,
      content: { case: "data", value: { n: 9 } },
      condition: SaveCondition.MUST_EXIST,
    });
    expect(await failureOf(save)).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: "BACKEND_FULL" });
    const touch = api.touchSession({ store, key: first, idleTtl: { seconds: 60n } });
    expect((await failureOf(touch)).code).toBe(status.RESOURCE_EXHAUSTED);

    // Reads answer as before; a touching read answers the session with its expiry where it was.
    const read = (await api.getSession({ store, key: first })).session;
    expect(read?.content).toEqual({ case: "data", value: { n: 1 } });
    expect(read?.version).toBe(1);
    const touched = (await api.getSession({ store, key: first, touch: true, idleTtl: { seconds: 60n } }))
      .session;
    expect(touched?.expireTime).toEqual(kept[0]?.expireTime);
    const batch = await api.batchGetSessions({ store, keys: [first, second, absent, expiredSecond] });
    expect(batch.sessions.map((session) => session.key)).toEqual([first, second]);
    expect(batch.missingKeys).toEqual([absent, expiredSecond]);
    // An expired session met by a read is answered missing and deleted, although the lazy delete is a write.
    expect((await failureOf(api.getSession({ store, key: expiredFirst }))).code).toBe(status.NOT_FOUND);
    for (const key of expired) expect(await recordStored(key)).toBe(false);
    expect((await api.deleteSession({ store, key: doomed })).existed).toBe(true);
    expect((await failureOf(api.getSession({ store, key: doomed }))).code).toBe(status.NOT_FOUND);

    // 1 + MORE_REFUSALS creates, the save, the touch, and the touch of the touching read.
    const refusals = 1 + MORE_REFUSALS + 3;
    const after = await scrape(served.server.metricsPort);
    const grew = (name: string, labels: Record<string, string>) =>
      (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(grew("redisession_redis_oom_refusals_total", { store })).toBe(refusals);
    const rpc = "redisession.v1.SessionService/CreateSession";
    expect(grew("redisession_rpc_calls_total", { rpc, code: "RESOURCE_EXHAUSTED" })).toBe(1 + MORE_REFUSALS);
    expect(after.matching("redisession_rpc_calls_total", { code: "INTERNAL" })).toEqual([]);

    // One line for all of them (the clock stood still), with no stack; no call logged its own refusal.
    const full = log.records().filter((record) => record.msg === FULL_REDIS_MESSAGE);
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ store, refusals: 1 });
    expect(Object.keys(full[0] ?? {})).not.toContain("err");
    expect(log.text()).not.toContain("stack");
    expect(
      log
        .records()
        .slice(linesBefore)
        .filter((record) => record.msg !== FULL_REDIS_MESSAGE),
    ).toEqual([]);

    // The next interval's line counts every refusal since the first line.
    clock.advanceSeconds(10);
    expect((await failureOf(api.createSession({ store, content: { case: "data", value: {} } }))).code).toBe(
      status.RESOURCE_EXHAUSTED,
    );
    expect(log.records().filter((record) => record.msg === FULL_REDIS_MESSAGE)[1]).toMatchObject({
      store,
      refusals,
    });

    // Given memory, Redis takes writes again.
    await redisCommand("CONFIG", "SET", "maxmemory", "0");
    const back = (await api.createSession({ store, content: { case: "data", value: { back: true } } }))
      .session;
    expect((await api.getSession({ store, key: back?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: { back: true },
    });
    expect((await api.touchSession({ store, key: first, idleTtl: { seconds: 60n } })).session?.key).toBe(
      first,
    );
  });
});
