import { describe, expect, it } from "vitest";
import { startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { BackendUnavailableError } from "../../src/store/errors.js";
import {
  createRedisClient,
  MAX_RECONNECT_DELAY_MS,
  reconnectDelayMs,
} from "../../src/store/redis/redis-connection.js";
import { useRedis } from "../support/redis-fixture.js";
import { freeze, redisPid } from "../support/redis-process.js";
import { makeStore, storeConfig, strategies } from "../support/store-fixture.js";

const redis = useRedis();

describe.each(strategies)("%s strategy when Redis fails", (strategy) => {
  it("reloads its scripts after SCRIPT FLUSH (EVALSHA falls back to EVAL on NOSCRIPT)", async () => {
    const { repository } = makeStore(redis, { strategy });
    const session = await repository.create({ a: 1 });
    const evalCalls = async () => {
      const info = String(await redis.raw("INFO", "commandstats"));
      return Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    await redis.raw("SCRIPT", "FLUSH");
    const before = await evalCalls();
    expect((await repository.save(session.key, { a: 2 })).version).toBe(2);
    expect(await evalCalls()).toBe(before + 1); // NOSCRIPT, then EVAL
    // EVAL cached the script again: the next save is a plain EVALSHA hit.
    expect((await repository.save(session.key, { a: 3 })).version).toBe(3);
    expect(await evalCalls()).toBe(before + 1);
  });

  it("answers BackendUnavailableError at once while Redis is down, and recovers when it returns", async () => {
    const server = await startRedisServer();
    // As the service makes its connections: no per-command timer, so a command queued until Redis returns would
    // wait for as long as Redis stays away (here: until the test restarts it, after these calls).
    const client = createRedisClient(
      { name: "outage", url: server.url, connectTimeoutMs: 500 },
      undefined,
      undefined,
      { commandTimeoutMs: 0 },
    );
    await client.connect();
    try {
      const repository = createSessionRepository(storeConfig({ strategy }), client);
      const session = await repository.create({ a: 1 });
      await server.stop();
      // Each call ends while Redis is still down: it failed instead of queueing until Redis returns.
      await expect(repository.get(session.key)).rejects.toThrow(BackendUnavailableError);
      await expect(repository.create({})).rejects.toThrow(BackendUnavailableError);
      await expect(repository.delete(session.key)).rejects.toThrow(BackendUnavailableError);

      const restarted = await startRedisServer([], server.port);
      try {
        await expect.poll(() => client.isReady).toBe(true);
        // A fresh server: the old session is gone (nothing on disk), scripts are reloaded on NOSCRIPT.
        expect(await repository.get(session.key)).toBeNull();
        expect((await repository.create({ b: 2 })).version).toBe(1);
      } finally {
        await restarted.stop();
      }
    } finally {
      client.destroy();
    }
  });

  it("refuses commands beyond maxPendingCommands while Redis hangs, and answers the pending ones after", async () => {
    const server = await startRedisServer();
    // As the service makes its connections: no per-command timer, a bounded queue.
    const client = createRedisClient(
      { name: "hung", url: server.url, connectTimeoutMs: 500, maxPendingCommands: 4 },
      undefined,
      undefined,
      { commandTimeoutMs: 0 },
    );
    await client.connect();
    try {
      const repository = createSessionRepository(storeConfig({ strategy }), client);
      const session = await repository.create({ a: 1 });
      // Redis hangs until the test thaws it: the four reads wait for as long as the test needs.
      const thaw = freeze(await redisPid(server.url));
      let pending: Promise<unknown>[];
      try {
        pending = Array.from({ length: 4 }, () => repository.get(session.key));
        // The queue is full: memory cannot grow with the calls that keep arriving while Redis hangs.
        await expect(repository.get(session.key)).rejects.toThrow(BackendUnavailableError);
        await expect(repository.create({})).rejects.toThrow(/too many commands pending/);
      } finally {
        thaw();
      }
      for (const read of await Promise.all(pending)) expect(read).toEqual(session);
      expect(await repository.get(session.key)).toEqual(session);
    } finally {
      client.destroy();
      await server.stop();
    }
  });
});

describe("a lost Redis connection", () => {
  // What makes a Redis that returns usable again within MAX_RECONNECT_DELAY_MS (plus a connect), whatever the
  // machine's speed: no wait between attempts is longer.
  it("retries after 50 ms, doubling, never waiting more than 2 s between attempts", () => {
    const delays = Array.from({ length: 40 }, (_, retries) => reconnectDelayMs(retries));
    expect(delays.slice(0, 7)).toEqual([50, 100, 200, 400, 800, 1600, 2000]);
    expect(MAX_RECONNECT_DELAY_MS).toBe(2_000);
    expect(Math.max(...delays)).toBe(MAX_RECONNECT_DELAY_MS);
  });
});
