import { afterAll, beforeAll } from "vitest";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import type { Config } from "../../src/config/config-schema.js";
import { parseConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/server/logger.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { workerRedisUrl } from "./redis-fixture.js";
import { storeConfig } from "./store-fixture.js";

/** Stores every server test has: the default (hash, zstd) and a string store with another codec. */
export const TEST_STORES = {
  default: {
    strategy: "hash",
    codec: "zstd",
    bucketBits: 8,
    maxTtl: 86_400,
    defaultTtl: 3600,
    maxSessionBytes: 4096,
  },
  // With a lifetime, so that its sessions carry a creation time (the default store's do not).
  strings: {
    strategy: "string",
    codec: "gzip",
    compressMinBytes: 64,
    maxTtl: 86_400,
    defaultTtl: 3600,
    maxLifetime: 30 * 86_400,
  },
} as const;

/**
 * The test server's stores, each with the name a request gives it, its strategy, and its configuration as the
 * repository sees it (for reading and writing raw records behind the service's back).
 */
export const SERVED_STORES = [
  { store: "", strategy: "hash", config: storeConfig({ ...TEST_STORES.default, prefix: "default:" }) },
  {
    store: "strings",
    strategy: "string",
    config: storeConfig({ ...TEST_STORES.strings, prefix: "strings:" }),
  },
] as const;

/** A configuration for a test server on a free loopback port. */
export function serverConfig(options: { redisUrl?: string; server?: Record<string, unknown> } = {}): Config {
  return parseConfig(
    {
      redis: { default: { url: options.redisUrl ?? workerRedisUrl(), connectTimeoutMs: 500 } },
      stores: TEST_STORES,
      server: {
        host: "127.0.0.1",
        port: 0,
        healthIntervalMs: 100,
        metrics: { host: "127.0.0.1", port: 0 },
        // No sweep on a timer (every 60 s by default): on a busy machine a test outlasts a minute, and a sweep's lease
        // and cursor keys would appear behind its back. Tests of the sweeper turn it on.
        sweep: { intervalMs: 0 },
        ...options.server,
      },
    },
    {},
  );
}

/**
 * How long a test server waits at start-up for its Redis, which the fixtures have started or shared and is up:
 * long enough that the first call finds the connection ready however busy the machine (the server's default, 2 s,
 * is a production setting). Start-up ends as soon as the connection is ready.
 */
export const REDIS_READY_WAIT_MS = 60_000;

/** Quiet unless TEST_LOG_LEVEL asks otherwise. */
export const testLogger = () => createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

/** A real server on port 0 over the worker's Redis, and the shipped client connected to it, for one file. */
export function useServer(options: { server?: Record<string, unknown> } = {}) {
  let running: RunningServer | undefined;
  let client: SessionClient | undefined;
  beforeAll(async () => {
    running = await startServer({
      config: serverConfig(options),
      logger: testLogger(),
      redisWaitMs: REDIS_READY_WAIT_MS,
    });
    client = createSessionClient(`127.0.0.1:${running.port}`, { defaultTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    client?.close();
    await running?.shutdown(0);
  });
  return {
    get server(): RunningServer {
      if (running === undefined) throw new Error("useServer: used before beforeAll");
      return running;
    },
    get client(): SessionClient {
      if (client === undefined) throw new Error("useServer: used before beforeAll");
      return client;
    },
  };
}
