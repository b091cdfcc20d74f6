import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink } from "../../src/store/redis/redis-link.js";
import { evictionRisk, readMaxmemoryPolicy } from "../../src/store/stats/eviction-policy.js";
import { EVICTION_WARNING_MESSAGE, EvictionWarning } from "../../src/store/stats/eviction-warning.js";
import { startRedisWithPassword, usePrivateRedis } from "../support/extra-redis.js";
import { storeConfig } from "../support/store-fixture.js";

// The policy is changed here, which the worker's shared Redis must never see.
const redis = usePrivateRedis();
const setPolicy = (policy: string) => redis.raw("CONFIG", "SET", "maxmemory-policy", policy);
afterEach(() => setPolicy("noeviction"));

const HASH = { strategy: "hash", bucketBits: 4 } as const;
const STRING = { strategy: "string" } as const;

describe("what a maxmemory-policy means for sessions", () => {
  it("noeviction never evicts; volatile-* evicts session Strings (they have a TTL), never hash buckets", () => {
    for (const store of [HASH, STRING]) expect(evictionRisk("noeviction", store)).toBeNull();
    for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
      expect(evictionRisk(policy, HASH), policy).toBeNull();
      const risk = evictionRisk(policy, STRING);
      expect(risk, policy).toContain(`maxmemory-policy ${policy}`);
      expect(risk).toMatch(/keys with a TTL, and every session String has one/);
      expect(risk).toMatch(/set maxmemory-policy noeviction/);
    }
    expect(evictionRisk("volatile-ttl", STRING)).toMatch(/closest to expiry first/);
  });

  it("allkeys-* evicts any session, a hash store's a whole bucket of them at a time", () => {
    for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random"]) {
      expect(evictionRisk(policy, STRING), policy).toMatch(/evict any key: live sessions can vanish/);
      expect(evictionRisk(policy, HASH), policy).toMatch(
        /each bucket evicted takes all its sessions \(1 in 16 /,
      );
    }
  });

  it("a policy it does not know is taken as one that may evict", () => {
    for (const store of [HASH, STRING]) {
      expect(evictionRisk("allkeys-someday", store)).not.toBeNull();
      expect(evictionRisk("smarter-lru", store)).toMatch(/smarter-lru is not noeviction/);
    }
  });
});

describe("reading the policy", () => {
  let restricted: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    // A user allowed everything but INFO (it is in @dangerous, which managed Redis ACLs often take away).
    restricted = await startRedisWithPassword("admin-secret", [
      { name: "app", password: "app-secret", rules: "~* &* +@all -info" },
    ]);
    client = createRedisClient({
      name: "app",
      url: `redis://app:app-secret@127.0.0.1:${restricted.port}`,
      connectTimeoutMs: 2_000,
    });
    await client.connect();
  });
  afterAll(async () => {
    client.destroy();
    await restricted.stop();
  });

  it("comes from INFO memory", async () => {
    expect(await readMaxmemoryPolicy(redis.link)).toBe("noeviction");
    await setPolicy("allkeys-lfu");
    expect(await readMaxmemoryPolicy(redis.link)).toBe("allkeys-lfu");
  });

  it("is null when INFO is refused; stats then say the policy is unknown and what to make sure of", async () => {
    expect(await readMaxmemoryPolicy(new RedisLink(client))).toBeNull();
    for (const strategy of ["string", "hash"] as const) {
      const repository = createSessionRepository(storeConfig({ strategy, bucketBits: 4 }), client);
      await repository.create({});
      const stats = await repository.stats();
      expect(stats.maxmemoryPolicy).toBeNull();
      expect(stats.advisories).toContain(
        "cannot read maxmemory_policy (INFO memory refused): make sure the Redis that keeps sessions runs noeviction",
      );
    }
  });
});

describe("store stats", () => {
  it.each([
    ["noeviction", false, false],
    ["allkeys-lru", true, true],
    ["volatile-lru", true, false],
  ])(
    "under %s report the policy, with an eviction advisory for string %s and hash %s",
    async (policy, string, hash) => {
      await setPolicy(policy);
      for (const [strategy, warned] of [
        ["string", string],
        ["hash", hash],
      ] as const) {
        const repository = createSessionRepository(storeConfig({ strategy, bucketBits: 4 }), redis.client);
        await repository.create({});
        const stats = await repository.stats();
        expect(stats.maxmemoryPolicy).toBe(policy);
        const eviction = stats.advisories.filter((advisory) =>
          advisory.startsWith(`maxmemory-policy ${policy}`),
        );
        expect(eviction, `${strategy} under ${policy}`).toEqual(
          warned ? [evictionRisk(policy, strategy === "hash" ? HASH : STRING)] : [],
        );
      }
    },
  );
});

describe("the eviction warning of a connection", () => {
  const stores = [
    storeConfig({ strategy: "hash", bucketBits: 4, prefix: "h:" }),
    { ...storeConfig({ strategy: "string", prefix: "s:" }), name: "strings" },
  ];

  function watch() {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const warning = new EvictionWarning("main", stores, redis.link, {
      warn: (fields, message) => lines.push({ fields, message }),
    });
    return { warning, lines };
  }

  it("names the policy and, per store at risk, what it means; says nothing under noeviction", async () => {
    const { warning, lines } = watch();
    await warning.check();
    expect(lines).toEqual([]);
    await setPolicy("volatile-lru");
    await warning.check();
    expect(lines).toEqual([
      {
        message: EVICTION_WARNING_MESSAGE,
        fields: {
          redis: "main",
          maxmemoryPolicy: "volatile-lru",
          // The hash store's buckets have no TTL: volatile-lru never evicts them.
          stores: { strings: evictionRisk("volatile-lru", STRING) },
        },
      },
    ]);
  });

  it("is logged once per policy seen, again only when the policy changes (a reconnection may reach another server)", async () => {
    const { warning, lines } = watch();
    await setPolicy("allkeys-lru");
    await warning.check();
    await warning.check();
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]?.fields.stores ?? {})).toEqual(["test", "strings"]);
    await setPolicy("allkeys-random");
    await warning.check();
    expect(lines.map((line) => line.fields.maxmemoryPolicy)).toEqual(["allkeys-lru", "allkeys-random"]);
  });
});
