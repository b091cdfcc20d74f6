/**
 * The node-redis client of one configured connection: the options a session service needs (no offline queue, capped
 * reconnection, TLS files), its log lines and the connection events it reports.
 */

import { readFileSync } from "node:fs";
import { createClient } from "redis";
import { ConfigError, formatConfigPath } from "../../config/config-error.js";
import { DEFAULT_MAX_PENDING_COMMANDS, type RedisConnectionConfig } from "../../config/config-schema.js";
import { type StoreLogger, silentLogger } from "../store-logger.js";

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

/** The PEM files of a `rediss://` connection, read now, as node-redis' TLS socket options take them. */
interface TlsSocketOptions {
  readonly tls: true;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/**
 * The TLS socket options of a connection with `tls` settings (the schema allows them only on `rediss://` URLs,
 * for which node-redis turns TLS on itself; it refuses a `tls` option that disagrees with the URL).
 *
 * @throws ConfigError naming the setting when a file cannot be read; the message never includes the URL.
 */
function tlsSocketOptions(config: RedisConnectionSettings): TlsSocketOptions | Record<string, never> {
  if (config.tls === undefined) return {};
  const read = (field: "caFile" | "certFile" | "keyFile"): Buffer | undefined => {
    const file = config.tls?.[field];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(
        [
          {
            path: formatConfigPath(["redis", config.name, "tls", field]),
            message: `cannot read ${file} (${code})`,
          },
        ],
        { cause: error },
      );
    }
  };
  const ca = read("caFile");
  const cert = read("certFile");
  const key = read("keyFile");
  // Only the files given: an absent `ca` leaves Node's bundled CAs in force.
  return { tls: true, ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/** Longest wait between reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * How long a lost connection waits before its attempt number `retries` (from 0): 50 ms, doubling, capped at
 * {@link MAX_RECONNECT_DELAY_MS}, so that a Redis that returns is used again within that cap (plus a connect).
 */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS);
}

/** A connection's configuration, where settings with a default may be left out (tests and tools make these). */
export type RedisConnectionSettings = Omit<RedisConnectionConfig, "maxPendingCommands"> &
  Partial<Pick<RedisConnectionConfig, "maxPendingCommands">>;

/** How a connection bounds its commands. */
export interface CommandLimits {
  /**
   * Milliseconds a command may wait for its reply before it fails; 0 for no per-command timer. node-redis arms an
   * `AbortSignal.timeout` for every command (about 17 µs each, measured in the service's profile), so the server
   * turns it off: every RPC already has a deadline that ends the call, and the queue bound below keeps a Redis
   * that stops answering from growing memory (the connection's `maxPendingCommands`). Tools with no deadline of their own (the CLI) keep a timeout.
   *
   * @defaultValue 5000
   */
  readonly commandTimeoutMs?: number;
}

/**
 * A node-redis client for one named connection, not yet connected.
 *
 * Commands issued while the connection is down fail at once (`disableOfflineQueue`) instead of queueing until
 * it returns: a session service must answer "unavailable" within the caller's deadline, not hang. The client
 * keeps reconnecting in the background with capped backoff, and its errors are logged, never thrown unhandled.
 */
export function createRedisClient(
  config: RedisConnectionSettings,
  logger: StoreLogger = silentLogger,
  observer: ConnectionObserver = {},
  { commandTimeoutMs = 5_000 }: CommandLimits = {},
) {
  const client = createClient({
    url: config.url,
    // RESP2 replies are plain arrays for every command the store sends (RESP3 turns some into maps).
    RESP: 2,
    disableOfflineQueue: true,
    commandsQueueMaxLength: config.maxPendingCommands ?? DEFAULT_MAX_PENDING_COMMANDS,
    commandOptions: { timeout: commandTimeoutMs },
    socket: {
      connectTimeout: config.connectTimeoutMs,
      reconnectStrategy: reconnectDelayMs,
      ...tlsSocketOptions(config),
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
