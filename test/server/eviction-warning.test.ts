import { afterEach, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { createClient } from "../../src/client/index.js";
import { startServer } from "../../src/server/server.js";
import { evictionRisk } from "../../src/store/stats/eviction-policy.js";
import { EVICTION_WARNING_MESSAGE } from "../../src/store/stats/eviction-warning.js";
import { usePrivateRedis } from "../support/extra-redis.js";
import { captureLog } from "../support/log-capture.js";
import { serverConfig, TEST_STORES } from "../support/server-fixture.js";

// The policy is changed here, which the worker's shared Redis must never see.
const redis = usePrivateRedis();
afterEach(() => redis.raw("CONFIG", "SET", "maxmemory-policy", "noeviction"));

/** A server started over the private Redis under `policy`: its log, and the stats GetStoreStats answers. */
async function startUnder(policy: string) {
  await redis.raw("CONFIG", "SET", "maxmemory-policy", policy);
  const log = captureLog("info");
  const running = await startServer({
    config: serverConfig({ redisUrl: redis.url, server: { sweep: { intervalMs: 0 } } }),
    logger: log.logger,
  });
  const admin = createClient(SessionAdminService, `127.0.0.1:${running.port}`, { defaultTimeoutMs: 10_000 });
  try {
    const stats = {
      hash: await admin.getStoreStats({ store: "default" }),
      string: await admin.getStoreStats({ store: "strings" }),
    };
    return { warnings: log.records().filter((record) => record.msg === EVICTION_WARNING_MESSAGE), stats };
  } finally {
    admin.close();
    await running.shutdown(0);
  }
}

const HASH = { strategy: "hash", bucketBits: TEST_STORES.default.bucketBits } as const;
const STRING = { strategy: "string" } as const;

describe("a Redis that may evict sessions", () => {
  it("under noeviction: no warning at start-up, no eviction advisory, the policy in GetStoreStats", async () => {
    const { warnings, stats } = await startUnder("noeviction");
    expect(warnings).toEqual([]);
    for (const store of [stats.hash, stats.string]) {
      expect(store.maxmemoryPolicy).toBe("noeviction");
      expect(store.advisories.filter((advisory) => advisory.includes("maxmemory-policy"))).toEqual([]);
    }
  });

  it("under allkeys-lru: one warning at start-up naming the policy and both stores, an advisory for each", async () => {
    const { warnings, stats } = await startUnder("allkeys-lru");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      redis: "default",
      maxmemoryPolicy: "allkeys-lru",
      stores: { default: evictionRisk("allkeys-lru", HASH), strings: evictionRisk("allkeys-lru", STRING) },
    });
    expect(stats.hash.maxmemoryPolicy).toBe("allkeys-lru");
    expect(stats.hash.advisories).toContain(evictionRisk("allkeys-lru", HASH));
    expect(stats.string.advisories).toContain(evictionRisk("allkeys-lru", STRING));
  });

  it("under volatile-lru: the warning and the advisory concern the string store only (buckets have no TTL)", async () => {
    const { warnings, stats } = await startUnder("volatile-lru");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.stores).toEqual({ strings: evictionRisk("volatile-lru", STRING) });
    expect(stats.string.advisories).toContain(evictionRisk("volatile-lru", STRING));
    expect(stats.hash.maxmemoryPolicy).toBe("volatile-lru");
    expect(stats.hash.advisories.filter((advisory) => advisory.includes("maxmemory-policy"))).toEqual([]);
  });
});
