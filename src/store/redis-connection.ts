import { createClient } from "redis";
import type { RedisConnectionConfig } from "../config/config-schema.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";

/** A node-redis client as made by {@link createRedisClient}. */
export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * What a connection reports besides its log lines (metrics): every method is optional and must not throw. The
 * connection is named as in the configuration.
 */
export interface ConnectionObserver {
  /**
   * The client reported an error: `kind` is the error's system code when it has one (`ECONNREFUSED`,
   * `ECONNRESET`), else its class name (`SocketClosedUnexpectedlyError`). Reported for every error, not once per
   * outage as the log does.
   */
  connectionError?(connection: string, kind: string): void;
  /** The client starts another attempt to (re)connect. */
  reconnecting?(connection: string): void;
  /** Whether the connection takes commands now; reported when the client is made and whenever that may change. */
  connectionReady?(connection: string, ready: boolean): void;
}

/** A bounded, non-secret name for an error: its system code, else its class name. */
function errorKind(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : error.name;
}

/** Longest wait between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** How a connection bounds its commands. */
export interface CommandLimits {
  /**
   * Milliseconds a command may wait for its reply before it fails; 0 for no per-command timer. node-redis arms an
   * `AbortSignal.timeout` for every command (about 17 µs each, measured in the service's profile), so the server
   * turns it off: every RPC already has a deadline that ends the call, and the queue bound below keeps a Redis
   * that stops answering from growing memory. Tools with no deadline of their own (the CLI) keep a timeout.
   *
   * @defaultValue 5000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Most commands waiting to be written or answered on the connection; beyond it commands fail at once. Bounds
   * memory while Redis is frozen (accepting bytes, answering none).
   *
   * @defaultValue 10000
   */
  readonly maxPendingCommands?: number;
}

/**
 * A node-redis client for one named connection, not yet connected.
 *
 * Commands issued while the connection is down fail at once (`disableOfflineQueue`) instead of queueing until
 * it returns: a session service must answer "unavailable" within the caller's deadline, not hang. The client
 * keeps reconnecting in the background with capped backoff, and its errors are logged, never thrown unhandled.
 */
export function createRedisClient(
  config: RedisConnectionConfig,
  logger: StoreLogger = silentLogger,
  observer: ConnectionObserver = {},
  { commandTimeoutMs = 5_000, maxPendingCommands = 10_000 }: CommandLimits = {},
) {
  const client = createClient({
    url: config.url,
    // RESP2 replies are plain arrays for every command the store sends (RESP3 turns some into maps).
    RESP: 2,
    disableOfflineQueue: true,
    commandsQueueMaxLength: maxPendingCommands,
    commandOptions: { timeout: commandTimeoutMs },
    socket: {
      connectTimeout: config.connectTimeoutMs,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS),
    },
  });
  let reported = false;
  observer.connectionReady?.(config.name, false);
  client.on("error", (error: Error) => {
    observer.connectionError?.(config.name, errorKind(error));
    observer.connectionReady?.(config.name, client.isReady);
    // One line per outage, not one per reconnection attempt.
    if (reported) return;
    reported = true;
    logger.warn({ redis: config.name, error: error.message }, "Redis connection error");
  });
  client.on("ready", () => {
    reported = false;
    observer.connectionReady?.(config.name, true);
  });
  client.on("reconnecting", () => {
    observer.reconnecting?.(config.name);
    observer.connectionReady?.(config.name, false);
  });
  client.on("end", () => observer.connectionReady?.(config.name, false));
  return client;
}
