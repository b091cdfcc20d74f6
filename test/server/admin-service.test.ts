import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService, StoreStrategy } from "../../gen/redisession/v1/admin_service_pb.js";
import { createClient, type ServiceClient } from "../../src/client/index.js";
import { parseConfig } from "../../src/config/load-config.js";
import { redisAddress, storeInfo } from "../../src/server/admin-messages.js";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { makeStore } from "../support/store-fixture.js";

const redis = useRedis();
const served = useServer();
let admin: ServiceClient<typeof SessionAdminService>;

beforeAll(() => {
  admin = createClient(SessionAdminService, `127.0.0.1:${served.server.port}`, { defaultTimeoutMs: 10_000 });
});
afterAll(() => admin.close());

/** `live` sessions through the server, and `expired` ones written an hour ago into the same store. */
async function arrange(live: number, expired: number) {
  for (let i = 0; i < live; i++)
    await served.client.createSession({ content: { case: "data", value: { live: i } } });
  const past = makeStore(redis, { ...TEST_STORES.default, prefix: "default:" });
  past.clock.advanceSeconds(-3600);
  for (let i = 0; i < expired; i++) await past.repository.create({ expired: i }, { ttl: 60 });
}

describe("SessionAdminService", () => {
  it("PurgeExpired removes expired sessions of a hash store, inside Redis, and says how far it got", async () => {
    await arrange(5, 12);
    const partial = await admin.purgeExpired({ budget: 100 });
    expect(partial.applicable).toBe(true);
    expect(partial.bucketsScanned).toBe(100);
    expect(partial.nextBucket).toBe(100);
    const rest = await admin.purgeExpired({ fromBucket: partial.nextBucket ?? 0 });
    expect(rest.bucketsScanned).toBe(156);
    expect(rest.nextBucket).toBeUndefined();
    expect(partial.fieldsRemoved + rest.fieldsRemoved).toBe(12n);
    expect(partial.fieldsScanned + rest.fieldsScanned).toBe(17n);
    expect((await admin.getStoreStats({})).sessions).toBe(5n);
  });

  it("PurgeExpired is a clear no-op for a string store", async () => {
    const reply = await admin.purgeExpired({ store: "strings" });
    expect(reply.applicable).toBe(false);
    expect(reply.bucketsScanned).toBe(0);
  });

  it("GetStoreStats describes the store: count, fill, encodings, sizes, memory, advisories", async () => {
    await arrange(30, 0);
    const stats = await admin.getStoreStats({ sampleSize: 8 });
    expect(stats.store).toBe("default");
    expect(stats.strategy).toBe(StoreStrategy.HASH);
    expect(stats.sessions).toBe(30n);
    expect(stats.exact).toBe(true);
    expect(stats.buckets?.count).toBe(256);
    expect(stats.encodings).toEqual({ listpack: 8 });
    expect(stats.recordBytes?.sampled).toBeGreaterThan(0);
    expect(stats.memory?.bytesPerSession).toBeGreaterThan(0);
    // 30 sessions in 256 buckets: far too many buckets for the population.
    expect(stats.advisories.join("\n")).toMatch(/sessions on average/);
    const strings = await admin.getStoreStats({ store: "strings" });
    expect(strings.strategy).toBe(StoreStrategy.STRING);
    expect(strings.buckets).toBeUndefined();
  });

  it("ListStores lists every store's settings without secrets", async () => {
    const { stores } = await admin.listStores({});
    expect(stores.map((s) => s.name)).toEqual(["default", "strings"]);
    const [hash, strings] = stores;
    expect(hash).toMatchObject({
      strategy: StoreStrategy.HASH,
      prefix: "default:",
      bucketBits: 8,
      codec: "zstd",
      maxDataDepth: 32,
    });
    expect(hash?.defaultTtl?.seconds).toBe(3600n);
    expect(hash?.maxLifetime).toBeUndefined();
    expect(strings).toMatchObject({ strategy: StoreStrategy.STRING, codec: "gzip", redis: "default" });
    expect(strings?.redisAddress).toBe(new URL(redis.url).host);
  });

  it("never shows a connection's password", () => {
    const config = parseConfig(
      { redis: { default: { url: "rediss://user:s3cret@cache.internal:6380/2" } } },
      {},
    );
    const [store, connection] = [config.stores.default, config.redis.default];
    if (store === undefined || connection === undefined) throw new Error("defaults missing");
    expect(redisAddress(connection)).toBe("cache.internal:6380/2");
    const shown = JSON.stringify(storeInfo(store, connection), (_, v) =>
      typeof v === "bigint" ? String(v) : v,
    );
    expect(shown).not.toContain("s3cret");
    expect(shown).not.toContain("user");
  });

  it("refuses an unknown store with INVALID_ARGUMENT", async () => {
    expect((await failureOf(admin.getStoreStats({ store: "nope" }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await failureOf(admin.purgeExpired({ store: "nope" }))).code).toBe(status.INVALID_ARGUMENT);
  });
});
