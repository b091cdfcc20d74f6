import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { configErrorOf, issueLines } from "./config-test-helpers.js";

describe("parseConfig field validation", () => {
  const inStore = (fields: Record<string, unknown>) => ({ stores: { default: fields } });
  const inConnection = (fields: Record<string, unknown>) => ({ redis: { default: fields } });

  it.each([
    [
      "bucketBits 0",
      inStore({ bucketBits: 0 }),
      "stores.default.bucketBits: must be an integer from 1 to 24",
    ],
    [
      "bucketBits 25",
      inStore({ bucketBits: 25 }),
      "stores.default.bucketBits: must be an integer from 1 to 24",
    ],
    [
      "bucketBits 1.5",
      inStore({ bucketBits: 1.5 }),
      "stores.default.bucketBits: must be an integer from 1 to 24",
    ],
    [
      "bucketBits '16'",
      inStore({ bucketBits: "16" }),
      "stores.default.bucketBits: must be an integer from 1 to 24",
    ],
    ["strategy", inStore({ strategy: "list" }), 'stores.default.strategy: must be "string" or "hash"'],
    [
      "codec",
      inStore({ codec: "lz4" }),
      "stores.default.codec: must be one of none, zstd, gzip, brotli, zstd-dict",
    ],
    [
      "empty prefix",
      inStore({ prefix: "" }),
      "stores.default.prefix: must be a non-empty string of at most 64 bytes",
    ],
    // 22 three-byte characters: 22 characters but 66 bytes
    [
      "long prefix",
      inStore({ prefix: "€".repeat(22) }),
      "stores.default.prefix: must be a non-empty string of at most 64 bytes",
    ],
    [
      "prefix number",
      inStore({ prefix: 7 }),
      "stores.default.prefix: must be a non-empty string of at most 64 bytes",
    ],
    [
      "auth with both token sources",
      { server: { auth: { tokenFile: "tokens.txt", tokenEnv: "TOKENS" } } },
      "server.auth: must set exactly one of tokenFile and tokenEnv",
    ],
    [
      "auth with no token source",
      { server: { auth: {} } },
      "server.auth: must set exactly one of tokenFile and tokenEnv",
    ],
    [
      "requireClientCert without clientCaFile",
      { server: { tls: { certFile: "server.pem", keyFile: "server.key", requireClientCert: true } } },
      "server.tls.requireClientCert: requireClientCert needs clientCaFile (the CA that signs client certificates)",
    ],
    [
      "redis not a string",
      inStore({ redis: 1 }),
      "stores.default.redis: must be the name of a connection under redis",
    ],
    [
      "negative compressMinBytes",
      inStore({ compressMinBytes: -1 }),
      "stores.default.compressMinBytes: must be an integer of at least 0",
    ],
    [
      "maxSessionBytes 63",
      inStore({ maxSessionBytes: 63 }),
      "stores.default.maxSessionBytes: must be an integer from 64 to 67108864",
    ],
    [
      "maxSessionBytes 64 MiB + 1",
      inStore({ maxSessionBytes: 67_108_865 }),
      "stores.default.maxSessionBytes: must be an integer from 64 to 67108864",
    ],
    [
      "maxDataDepth 0",
      inStore({ maxDataDepth: 0 }),
      "stores.default.maxDataDepth: must be an integer from 1 to 49",
    ],
    [
      "maxDataDepth 50 (deeper than the wire codec can answer)",
      inStore({ maxDataDepth: 50 }),
      "stores.default.maxDataDepth: must be an integer from 1 to 49",
    ],
    [
      "maxDataDepth a fraction",
      inStore({ maxDataDepth: 32.5 }),
      "stores.default.maxDataDepth: must be an integer from 1 to 49",
    ],
    ["logKeyErrors", inStore({ logKeyErrors: "yes" }), "stores.default.logKeyErrors: must be true or false"],
    ["defaultTtl 0", inStore({ defaultTtl: 0 }), "stores.default.defaultTtl: must be at least 1 second"],
    [
      "defaultTtl fraction",
      inStore({ defaultTtl: "1.5h" }),
      "stores.default.defaultTtl: must be a whole number; fractions are not allowed",
    ],
    [
      "maxTtl too long",
      inStore({ maxTtl: 2 ** 31 }),
      "stores.default.maxTtl: must be at most 2147483647 seconds",
    ],
    ["maxTtl unit", inStore({ maxTtl: "1y" }), 'stores.default.maxTtl: has unknown duration unit "y"'],
    [
      "maxLifetime negative",
      inStore({ maxLifetime: -60 }),
      "stores.default.maxLifetime: must not be negative",
    ],
    [
      "maxLifetime too long",
      inStore({ maxLifetime: "3551w" }),
      "stores.default.maxLifetime: must be at most 2147483647 seconds",
    ],
    [
      "url scheme",
      inConnection({ url: "http://127.0.0.1:6379" }),
      "redis.default.url: must be a redis:// or rediss:// URL",
    ],
    [
      "url without host",
      inConnection({ url: "redis://" }),
      "redis.default.url: must be a redis:// or rediss:// URL",
    ],
    [
      "url garbage",
      inConnection({ url: "not a url" }),
      "redis.default.url: must be a redis:// or rediss:// URL",
    ],
    ["url missing", inConnection({}), "redis.default.url: is required"],
    [
      "connectTimeoutMs 0",
      inConnection({ url: "redis://h", connectTimeoutMs: 0 }),
      "redis.default.connectTimeoutMs: must be an integer from 1 to 60000",
    ],
    [
      "connectTimeoutMs 60001",
      inConnection({ url: "redis://h", connectTimeoutMs: 60_001 }),
      "redis.default.connectTimeoutMs: must be an integer from 1 to 60000",
    ],
    [
      "store not a mapping",
      { stores: { default: "hash" } },
      "stores.default: must be a mapping with the keys redis, strategy, prefix,",
    ],
    ["stores not a mapping", { stores: ["default"] }, "stores: must be a mapping of store names to stores"],
    [
      "redis not a mapping",
      { redis: "redis://h" },
      "redis: must be a mapping of connection names to connections",
    ],
    ["no stores", { stores: {} }, "stores: must define at least one store"],
    [
      "store name",
      { stores: { "-web": {} } },
      "stores.-web: is not a valid store name: use 1 to 64 letters, digits",
    ],
    ["store name with a space", { stores: { "my web": {} } }, 'stores["my web"]: is not a valid store name'],
    [
      "store name too long",
      { stores: { ["s".repeat(65)]: {} } },
      `stores.${"s".repeat(65)}: is not a valid store name`,
    ],
    [
      "connection name",
      { redis: { "my cache": { url: "redis://h" } } },
      'redis["my cache"]: is not a valid connection name',
    ],
    ["whole file", "stores: {}", ": must be a mapping with the keys redis, stores, server"],
    ["whole file list", [], ": must be a mapping with the keys redis, stores, server"],
  ])("reports %s at its path", (_name, raw, expected) => {
    const lines = issueLines(() => parseConfig(raw));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  });

  it("never repeats a URL in a message, since it may hold a password", () => {
    const error = configErrorOf(() => parseConfig(inConnection({ url: "http://user:hunter2@h" })));
    expect(error.message).not.toContain("hunter2");
  });

  it("reports every problem at once, one line each", () => {
    const error = configErrorOf(() =>
      parseConfig({ stores: { a: { bucketBits: 30, codec: "lz4" }, b: { strategy: "list" } } }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "stores.a.bucketBits",
      "stores.a.codec",
      "stores.b.strategy",
    ]);
    expect(error.message).toBe(
      [
        "Invalid configuration:",
        "  stores.a.bucketBits: must be an integer from 1 to 24",
        "  stores.a.codec: must be one of none, zstd, gzip, brotli, zstd-dict",
        '  stores.b.strategy: must be "string" or "hash"',
      ].join("\n"),
    );
  });
});

describe("parseConfig unknown keys", () => {
  it.each([
    [
      { stores: { default: { bucketbits: 8 } } },
      'stores.default.bucketbits: unknown key; did you mean "bucketBits"?',
    ],
    [
      { stores: { default: { max_ttl: "1d" } } },
      'stores.default.max_ttl: unknown key; did you mean "maxTtl"?',
    ],
    [
      { redis: { default: { url: "redis://h", "connect-timeout-ms": 5 } } },
      'redis.default.connect-timeout-ms: unknown key; did you mean "connectTimeoutMs"?',
    ],
    [{ sessions: {} }, "sessions: unknown key; expected one of redis, stores, server"],
    [
      { stores: { default: { ttl: 5 } } },
      "stores.default.ttl: unknown key; expected one of redis, strategy, prefix,",
    ],
  ])("rejects %j", (raw, expected) => {
    const lines = issueLines(() => parseConfig(raw));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  });

  it("reports each unknown key of one mapping separately", () => {
    expect(
      issueLines(() => parseConfig({ stores: { s: { a: 1, b: 2 } } })).map((line) => line.split(":")[0]),
    ).toEqual(["stores.s.a", "stores.s.b"]);
  });
});

describe("server fields", () => {
  it.each([
    [{ port: 70_000 }, "server.port", "must be an integer from 0 to 65535"],
    [{ port: -1 }, "server.port", "must be an integer from 0 to 65535"],
    [{ host: "" }, "server.host", "must not be empty"],
    [{ requestTimeoutMs: 0 }, "server.requestTimeoutMs", "must be an integer from 1 to 3600000"],
    [{ maxMessageBytes: 10 }, "server.maxMessageBytes", "must be an integer from 1024 to 67108864"],
    [{ maxConcurrentStreams: 0 }, "server.maxConcurrentStreams", "must be an integer from 1 to 1048576"],
    [{ healthIntervalMs: 5 }, "server.healthIntervalMs", "must be an integer from 100 to 60000"],
    [{ maxConnections: 0 }, "server.maxConnections", "must be an integer from 1 to 16777216"],
    [{ handshakeTimeoutMs: 50 }, "server.handshakeTimeoutMs", "must be an integer from 100 to 120000"],
    [{ maxConnectionIdleMs: -1 }, "server.maxConnectionIdleMs", "must be an integer from 0 to 3600000"],
    [{ shutdownGrace: 5 }, "server.shutdownGrace", "unknown key"],
  ])("reports %j at %s", (server, path, message) => {
    const issue = configErrorOf(() => parseConfig({ server })).issues.find((i) => i.path === path);
    expect(issue?.message).toContain(message);
  });
});
