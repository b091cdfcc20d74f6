import { createClient } from "redis";
import type { RedisConnectionConfig } from "../config/config-schema.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";

/** A node-redis client as made by {@link createRedisClient}. */
export type RedisClient = ReturnType<typeof createRedisClient>;

/** Longest wait between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A node-redis client for one named connection, not yet connected.
 *
 * Commands issued while the connection is down fail at once (`disableOfflineQueue`) instead of queueing until
 * it returns: a session service must answer "unavailable" within the caller's deadline, not hang. The client
 * keeps reconnecting in the background with capped backoff, and its errors are logged, never thrown unhandled.
 */
export function createRedisClient(config: RedisConnectionConfig, logger: StoreLogger = silentLogger) {
  const client = createClient({
    url: config.url,
    // RESP2 replies are plain arrays for every command the store sends (RESP3 turns some into maps).
    RESP: 2,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: config.connectTimeoutMs,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS),
    },
  });
  let reported = false;
  client.on("error", (error: Error) => {
    // One line per outage, not one per reconnection attempt.
    if (reported) return;
    reported = true;
    logger.warn({ redis: config.name, error: error.message }, "Redis connection error");
  });
  client.on("ready", () => {
    reported = false;
  });
  return client;
}
