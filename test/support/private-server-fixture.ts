import type { Client } from "@grpc/grpc-js";
import { afterAll, beforeAll } from "vitest";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import type { Logger } from "../../src/server/logger.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { rawClient } from "./raw-grpc.js";
import { REDIS_READY_WAIT_MS, serverConfig, testLogger } from "./server-fixture.js";

/** What {@link usePrivateServer} starts the server and client with. */
export interface PrivateServerOptions {
  /** `server` settings over the test defaults. */
  readonly server?: Record<string, unknown>;
  /** The shipped client's default deadline. Default: 5000. */
  readonly clientTimeoutMs?: number;
  /** Command-line settings of the file's `redis-server` (e.g. `["--maxmemory-policy", "noeviction"]`). */
  readonly redisArgs?: readonly string[];
  /** The server's logger. Default: quiet (see `testLogger`). */
  readonly logger?: Logger;
  /** The server's clock (`StartServerOptions.clock`). Default: `Date.now`. */
  readonly clock?: () => number;
}

/**
 * A real server over a `redis-server` of the file's own, for files that stop, kill, freeze or pause Redis (which
 * the worker's shared one must never be), with the shipped client (no retries: each call's own outcome is under
 * test) and a raw grpc-js client for health checks. For one file: started before its tests, stopped after.
 */
export function usePrivateServer(options: PrivateServerOptions = {}) {
  let redis: RedisServer | undefined;
  let running: RunningServer | undefined;
  let client: SessionClient | undefined;
  let raw: Client | undefined;
  beforeAll(async () => {
    redis = await startRedisServer(options.redisArgs);
    running = await startServer({
      config: serverConfig({ redisUrl: redis.url, server: options.server }),
      logger: options.logger ?? testLogger(),
      clock: options.clock,
      redisWaitMs: REDIS_READY_WAIT_MS,
    });
    const target = `127.0.0.1:${running.port}`;
    client = createSessionClient(target, {
      defaultTimeoutMs: options.clientTimeoutMs ?? 5_000,
      retry: false,
    });
    raw = rawClient(target);
  });
  afterAll(async () => {
    client?.close();
    raw?.close();
    await running?.shutdown(0);
    await redis?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("usePrivateServer: used before beforeAll");
    return value;
  };
  return {
    /** The current Redis (a new one after {@link restartRedis}). */
    get redis(): RedisServer {
      return started(redis);
    },
    get server(): RunningServer {
      return started(running);
    },
    get client(): SessionClient {
      return started(client);
    },
    get raw(): Client {
      return started(raw);
    },
    /** Starts a new, empty `redis-server` on the port of the one that was stopped or killed. */
    async restartRedis(): Promise<void> {
      redis = await startRedisServer(options.redisArgs, started(redis).port);
    },
  };
}
