import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigInput, parseConfig, type StoreConfig } from "../../src/config/index.js";
import { configErrorOf, issueLines } from "./config-test-helpers.js";

const storeDefaults = {
  redis: "default",
  strategy: "hash",
  bucketBits: 16,
  codec: "zstd",
  compressMinBytes: 400,
  defaultTtl: 14 * 86_400,
  maxTtl: 30 * 86_400,
  maxLifetime: 0,
  maxSessionBytes: 1_048_576,
  maxDataDepth: 32,
  logKeyErrors: false,
  zstdDictionaries: [],
  requestIdTtl: 600,
} satisfies Omit<StoreConfig, "name" | "prefix">;

/** Every server default, as documented in server-schema.ts. */
const serverDefaults = {
  host: "0.0.0.0",
  port: 50051,
  requestTimeoutMs: 10_000,
  shutdownGraceMs: 10_000,
  maxMessageBytes: 4 * 1024 * 1024,
  maxConcurrentStreams: 256,
  maxConnections: 900,
  handshakeTimeoutMs: 5_000,
  maxConnectionIdleMs: 300_000,
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  healthIntervalMs: 1_000,
  sweep: { intervalMs: 60_000, bucketsPerRun: 4096, leaseMs: 30_000 },
  metrics: { enabled: true, host: "0.0.0.0", port: 9464 },
};

describe("parseConfig defaults", () => {
  it.each([undefined, null, {}])("turns %j into one local connection and one default store", (raw) => {
    expect(parseConfig(raw)).toEqual({
      redis: {
        default: {
          name: "default",
          url: "redis://127.0.0.1:6379",
          connectTimeoutMs: 2000,
          maxPendingCommands: 10_000,
        },
      },
      stores: { default: { name: "default", prefix: "default:", ...storeDefaults } },
      server: serverDefaults,
    });
  });

  it("applies every server default, and keeps server values that are given", () => {
    expect(parseConfig({}).server).toEqual(serverDefaults);
    expect(parseConfig({ server: { port: 0, host: "127.0.0.1", shutdownGraceMs: 0 } }).server).toEqual({
      ...serverDefaults,
      port: 0,
      host: "127.0.0.1",
      shutdownGraceMs: 0,
    });
  });

  it("applies every store default and derives the prefix from the store name", () => {
    const config = parseConfig({ stores: { web: {}, "api.v2": {} } });
    expect(config.stores.web).toEqual({ name: "web", prefix: "web:", ...storeDefaults });
    expect(config.stores["api.v2"]).toEqual({ name: "api.v2", prefix: "api.v2:", ...storeDefaults });
    expect(Object.keys(config.stores)).toEqual(["web", "api.v2"]);
  });

  it("applies the connection default timeout and keeps the default connection only when redis is absent", () => {
    const config = parseConfig({
      redis: { main: { url: "rediss://cache:6380/2" } },
      stores: { s: { redis: "main" } },
    });
    expect(config.redis).toEqual({
      main: {
        name: "main",
        url: "rediss://cache:6380/2",
        connectTimeoutMs: 2000,
        maxPendingCommands: 10_000,
      },
    });
  });

  it("keeps every value that is given", () => {
    const store = {
      redis: "sessions",
      strategy: "string",
      prefix: "sess|",
      bucketBits: 24,
      codec: "brotli",
      compressMinBytes: 0,
      defaultTtl: "1h",
      maxTtl: "2w",
      maxLifetime: "90d",
      maxSessionBytes: 64,
      maxDataDepth: 49,
      logKeyErrors: true,
      zstdDictionaries: [],
      requestIdTtl: "1d",
    } satisfies NonNullable<ConfigInput["stores"]>[string];
    const config = parseConfig({
      redis: { sessions: { url: "redis://:secret@10.0.0.5:6379/1", connectTimeoutMs: 60_000 } },
      stores: { main: store },
    });
    expect(config.stores.main).toEqual({
      ...store,
      name: "main",
      defaultTtl: 3600,
      maxTtl: 14 * 86_400,
      maxLifetime: 90 * 86_400,
      requestIdTtl: 86_400,
    });
    expect(config.redis.sessions?.connectTimeoutMs).toBe(60_000);
  });

  it("accepts names that are also Object.prototype properties", () => {
    const config = parseConfig({
      redis: { toString: { url: "redis://h" } },
      stores: { constructor: { redis: "toString" }, hasOwnProperty: { redis: "toString" } },
    });
    expect(Object.keys(config.stores)).toEqual(["constructor", "hasOwnProperty"]);
    expect(config.stores.constructor).toMatchObject({
      name: "constructor",
      prefix: "constructor:",
      redis: "toString",
    });
  });

  it("returns a deeply frozen object and leaves its input alone", () => {
    const raw = { stores: { web: { bucketBits: 8 } } };
    const config = parseConfig(raw, { REDIS_URL: "redis://elsewhere:6379" });
    expect(raw).toEqual({ stores: { web: { bucketBits: 8 } } });
    for (const part of [config, config.redis, config.stores, config.stores.web, config.redis.default]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });
});

describe("parseConfig cross-field rules", () => {
  it("requires a store's connection to exist", () => {
    expect(issueLines(() => parseConfig({ stores: { web: { redis: "cache" } } }))).toEqual([
      'stores.web.redis: names connection "cache", which is not defined under redis (defined: default)',
    ]);
  });

  it("does not take inherited property names for connections", () => {
    expect(issueLines(() => parseConfig({ stores: { web: { redis: "constructor" } } }))[0]).toMatch(
      /^stores\.web\.redis: names connection "constructor"/,
    );
  });

  it("requires defaultTtl <= maxTtl", () => {
    expect(issueLines(() => parseConfig({ stores: { web: { defaultTtl: "30d", maxTtl: "1d" } } }))).toEqual([
      "stores.web.maxTtl: must be at least defaultTtl (30d), but is 1d",
    ]);
    // The defaults apply to the other side of the comparison too.
    expect(issueLines(() => parseConfig({ stores: { web: { defaultTtl: "31d" } } }))).toEqual([
      "stores.web.maxTtl: must be at least defaultTtl (31d), but is 30d",
    ]);
    expect(parseConfig({ stores: { web: { defaultTtl: "1d", maxTtl: 86_400 } } }).stores.web?.maxTtl).toBe(
      86_400,
    );
  });

  it.each([
    ["equal", "app:", "app:"],
    ["second longer", "app:", "app:web:"],
    ["second shorter", "app:web:", "app:"],
  ])("rejects prefixes on one connection where one starts the other (%s)", (_name, first, second) => {
    const error = configErrorOf(() =>
      parseConfig({ stores: { one: { prefix: first }, two: { prefix: second } } }),
    );
    expect(error.issues).toEqual([
      {
        path: "stores.two.prefix",
        message: `"${second}" overlaps the prefix "${first}" of store "one" on connection "default"; the two stores would share keys`,
      },
    ]);
  });

  it("allows the same prefix on different connections, and distinct default prefixes on one", () => {
    const config = parseConfig({
      redis: { a: { url: "redis://a" }, b: { url: "redis://b" } },
      stores: {
        one: { redis: "a", prefix: "s:" },
        two: { redis: "b", prefix: "s:" },
        three: { redis: "a" },
        th: { redis: "a" },
      },
    });
    expect(Object.values(config.stores).map((store) => store.prefix)).toEqual(["s:", "s:", "three:", "th:"]);
  });

  it("runs only once every field is valid", () => {
    // The missing connection is not reported while another field is broken: fix fields first, then references.
    expect(issueLines(() => parseConfig({ stores: { web: { redis: "cache", bucketBits: 0 } } }))).toEqual([
      "stores.web.bucketBits: must be an integer from 1 to 24",
    ]);
  });
});

describe("REDIS_URL", () => {
  it("sets redis.default.url, creating the connection when there is none", () => {
    const env = { REDIS_URL: "rediss://:pw@prod:6380/3" };
    expect(parseConfig({}, env).redis.default?.url).toBe("rediss://:pw@prod:6380/3");
    const withOther = parseConfig({ redis: { cache: { url: "redis://cache" } } }, env);
    expect(Object.keys(withOther.redis)).toEqual(["cache", "default"]);
    expect(withOther.redis.default).toEqual({
      name: "default",
      url: "rediss://:pw@prod:6380/3",
      connectTimeoutMs: 2000,
      maxPendingCommands: 10_000,
    });
  });

  it("overrides the file's URL and keeps the connection's other settings", () => {
    const config = parseConfig(
      { redis: { default: { url: "redis://file", connectTimeoutMs: 500 } } },
      { REDIS_URL: "redis://env" },
    );
    expect(config.redis.default).toEqual({
      name: "default",
      url: "redis://env",
      connectTimeoutMs: 500,
      maxPendingCommands: 10_000,
    });
  });

  it("is ignored when empty, and parseConfig ignores process.env unless given it", () => {
    expect(parseConfig({}, { REDIS_URL: "" }).redis.default?.url).toBe("redis://127.0.0.1:6379");
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = "redis://from-process-env";
    try {
      expect(parseConfig({}).redis.default?.url).toBe("redis://127.0.0.1:6379");
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });

  it("does not paper over a redis key that is not a mapping", () => {
    expect(issueLines(() => parseConfig({ redis: null }, { REDIS_URL: "redis://env" }))).toEqual([
      "redis: must be a mapping of connection names to connections",
    ]);
  });

  it("reports a bad value at redis.default.url and says it came from REDIS_URL", () => {
    const error = configErrorOf(() => parseConfig({}, { REDIS_URL: "localhost:6379" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([
      {
        path: "redis.default.url",
        message:
          "must be a redis:// or rediss:// URL with a host (e.g. redis://127.0.0.1:6379) (set by the REDIS_URL environment variable)",
      },
    ]);
  });
});
