import {
  type Config,
  DEFAULT_STORE,
  type RedisConnectionConfig,
  type StoreConfig,
} from "../config/config-schema.js";
import { SessionStoreError } from "../store/errors.js";
import type { RedisSessionRepository } from "../store/redis-session-repository.js";
import type { StoreLogger } from "../store/store-logger.js";
import { StoreRegistry, type StoreTarget } from "../store/store-registry.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE, withoutCredentials } from "./cli-error.js";

/** How long the maintenance commands wait for Redis before giving up. */
export const REDIS_WAIT_MS = 3_000;

/** The configured store `name`, or a usage error listing the configured stores. */
export function requireStore(config: Config, name: string | undefined): StoreConfig {
  const wanted = name ?? DEFAULT_STORE;
  const store = Object.hasOwn(config.stores, wanted) ? config.stores[wanted] : undefined;
  if (store !== undefined) return store;
  const configured = Object.keys(config.stores).join(", ");
  throw new CliError(
    name === undefined
      ? `no store named "${DEFAULT_STORE}" is configured; name one with --store (configured: ${configured})`
      : `unknown store "${name}" (configured: ${configured})`,
    EXIT_USAGE,
  );
}

/** Where a connection points, without credentials, database path kept: `redis://cache.internal:6380/2`. */
export function describeConnection(connection: RedisConnectionConfig): string {
  try {
    const url = new URL(connection.url);
    const db = url.pathname.length > 1 ? url.pathname : "";
    return `${url.protocol}//${url.host}${db}`;
  } catch {
    return "an unparsable URL";
  }
}

interface ConnectionGroup {
  readonly connection: RedisConnectionConfig;
  readonly stores: StoreRegistry;
  /** The first connection error the client reported, if any. */
  readonly error: () => string | undefined;
}

/**
 * Connected repositories of some stores, for the maintenance commands. Only the connections those stores use are
 * opened, each in its own {@link StoreRegistry}, so that an unreachable one can be named.
 */
export class OpenStores {
  private constructor(private readonly groups: readonly ConnectionGroup[]) {}

  /**
   * Connects the stores `names` (configured, checked by the caller), waiting up to `waitMs` for Redis.
   *
   * @throws {CliError} (exit 1) naming every connection not ready in time, after closing them all.
   */
  static async open(config: Config, names: readonly string[], waitMs = REDIS_WAIT_MS): Promise<OpenStores> {
    const byConnection = new Map<string, Record<string, StoreConfig>>();
    for (const name of names) {
      const store = requireStore(config, name);
      const stores = byConnection.get(store.redis) ?? {};
      stores[name] = store;
      byConnection.set(store.redis, stores);
    }
    const groups = [...byConnection].map(([connectionName, stores]): ConnectionGroup => {
      const connection = config.redis[connectionName];
      if (connection === undefined) throw new Error(`connection ${connectionName} is not configured`);
      let error: string | undefined;
      const logger: StoreLogger = {
        warn(fields) {
          if (error === undefined && typeof fields.error === "string") error = fields.error;
        },
      };
      return {
        connection,
        stores: StoreRegistry.fromConfig({ ...config, stores }, { logger }),
        error: () => error,
      };
    });
    const opened = new OpenStores(groups);
    const ready = await Promise.all(groups.map((group) => group.stores.open(waitMs)));
    const down = groups.filter((_, i) => !ready[i]);
    if (down.length > 0) {
      await opened.close();
      const seconds = `${Math.round(waitMs / 100) / 10} s`;
      const reasons = down.map((group) => {
        const cause = group.error();
        return (
          `cannot reach Redis connection "${group.connection.name}" at ${describeConnection(group.connection)} ` +
          `within ${seconds}${cause === undefined ? "" : ` (${withoutCredentials(cause)})`}`
        );
      });
      throw new CliError(reasons.join("; "), EXIT_FAILURE);
    }
    return opened;
  }

  /** The repository of store `name`, one of those opened. */
  get(name: string): RedisSessionRepository {
    for (const group of this.groups) {
      if (group.stores.names().includes(name)) return group.stores.get(name);
    }
    throw new Error(`store ${name} was not opened`);
  }

  /** Store `name`'s repository and the client it uses, for commands that also read Redis directly. */
  target(name: string): StoreTarget {
    for (const group of this.groups) {
      const target = group.stores.targets.find((candidate) => candidate.name === name);
      if (target !== undefined) return target;
    }
    throw new Error(`store ${name} was not opened`);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.groups.map((group) => group.stores.close()));
  }
}

/**
 * A store's failure as a one-line {@link CliError} (exit 1): `default: sweep failed: Redis is unavailable
 * (Socket closed unexpectedly)`. Anything that is not a store error is a bug and is rethrown as is.
 */
export function storeFailure(store: string, action: string, error: unknown): unknown {
  if (!(error instanceof SessionStoreError)) return error;
  const cause = error.cause instanceof Error && error.cause.message !== "" ? ` (${error.cause.message})` : "";
  return new CliError(
    withoutCredentials(`${store}: ${action} failed: ${error.message}${cause}`),
    EXIT_FAILURE,
  );
}
