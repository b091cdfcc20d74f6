/**
 * The configured stores by name: one repository per store, one Redis client per connection, opened, pinged and
 * closed together. What the server and the CLI hold to find a store's repository.
 */

import { type Config, DEFAULT_STORE } from "../config/config-schema.js";
import { createSessionRepository } from "./create-session-repository.js";
import { UnknownStoreError } from "./errors.js";
import { type CommandLimits, createRedisClient, type RedisClient } from "./redis/redis-connection.js";
import { RedisLink } from "./redis/redis-link.js";
import type { RedisSessionRepository } from "./redis-session-repository.js";
import { EvictionWarning } from "./stats/eviction-warning.js";
import type { RepositoryDependencies, StoreObserver } from "./store-context.js";
import { silentLogger } from "./store-logger.js";
import { within } from "./within.js";

/** A store, its repository and the client that repository uses. */
export interface StoreTarget {
  readonly name: string;
  readonly repository: RedisSessionRepository;
  readonly client: RedisClient;
}

/**
 * Every configured store, each on the Redis connection it names; one client per connection, shared by its
 * stores. Owns the clients: {@link StoreRegistry.open} starts them, {@link StoreRegistry.close} ends them.
 */
export class StoreRegistry {
  private constructor(
    private readonly repositories: ReadonlyMap<string, RedisSessionRepository>,
    private readonly clients: ReadonlyMap<string, RedisClient>,
    /** Every store with the client it uses (a sweep's lease lives on the same Redis as the store's keys). */
    readonly targets: readonly StoreTarget[],
    /**
     * The observer the stores and connections report to (none: an empty one). Whoever sweeps a store reports the
     * sweep's result here (`observer.swept?.(name, report)`).
     */
    readonly observer: StoreObserver,
    /** One per connection: warns when its Redis may evict sessions. */
    private readonly evictionWarnings: readonly EvictionWarning[],
  ) {}

  /**
   * Builds the stores of `config`; nothing connects until {@link StoreRegistry.open}. `limits` applies to every
   * connection (the server turns the per-command timeout off, see {@link CommandLimits}).
   */
  static fromConfig(
    config: Config,
    dependencies: RepositoryDependencies = {},
    limits: CommandLimits = {},
  ): StoreRegistry {
    const logger = dependencies.logger ?? silentLogger;
    const clients = new Map<string, RedisClient>();
    const repositories = new Map<string, RedisSessionRepository>();
    const targets: StoreTarget[] = [];
    for (const store of Object.values(config.stores)) {
      let client = clients.get(store.redis);
      if (client === undefined) {
        const connection = config.redis[store.redis];
        if (connection === undefined)
          throw new Error(`store ${store.name} names unknown connection ${store.redis}`);
        client = createRedisClient(connection, logger, dependencies.observer, limits);
        clients.set(store.redis, client);
      }
      const repository = createSessionRepository(store, client, dependencies);
      repositories.set(store.name, repository);
      targets.push({ name: store.name, repository, client });
    }
    const evictionWarnings = [...clients].map(([connection, client]) => {
      const stores = Object.values(config.stores).filter((store) => store.redis === connection);
      const warning = new EvictionWarning(connection, stores, new RedisLink(client), logger);
      client.on("ready", () => void warning.check());
      return warning;
    });
    return new StoreRegistry(repositories, clients, targets, dependencies.observer ?? {}, evictionWarnings);
  }

  /**
   * Starts connecting every client and waits up to `waitMs` for all to be ready, and for each ready connection's
   * check of its Redis' eviction policy (so that its warning is logged before the server says it listens). Never
   * fails for an unreachable Redis: clients keep reconnecting in the background and calls answer "unavailable"
   * meanwhile.
   *
   * @returns whether every connection was ready in time.
   */
  async open(waitMs = 0): Promise<boolean> {
    const connecting = [...this.clients.values()].map((client) =>
      client.connect().then(
        () => true,
        () => false, // Rejects only when the client is destroyed while still retrying.
      ),
    );
    if (waitMs <= 0) return this.clients.size === 0;
    const started = performance.now();
    const ready = await within(
      Promise.all(connecting).then((all) => all.every(Boolean)),
      waitMs,
      false,
    );
    // Each check started on its connection's "ready" event, which comes before connect() resolves. A slow check
    // only delays the start within the same wait; it never makes a ready connection count as down.
    const checked = Promise.all(this.evictionWarnings.map((warning) => warning.settled()));
    await within(checked, Math.max(0, waitMs - (performance.now() - started)), undefined);
    return ready;
  }

  /** The repository of store `name` (empty: the default store). */
  get(name: string): RedisSessionRepository {
    const resolved = name === "" ? DEFAULT_STORE : name;
    const repository = this.repositories.get(resolved);
    if (repository === undefined) throw new UnknownStoreError(resolved);
    return repository;
  }

  /** The configured store names. */
  names(): string[] {
    return [...this.repositories.keys()];
  }

  /**
   * Whether every connection answers PING within `timeoutMs`. A hung server (accepting bytes, answering none)
   * counts as down: the timeout, not the reply, ends the wait.
   */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    const pings = [...this.clients.values()].map((client) => {
      if (!client.isReady) return Promise.resolve(false);
      const answer = client.ping().then(
        () => true,
        () => false,
      );
      return within(answer, timeoutMs, false);
    });
    return (await Promise.all(pings)).every(Boolean);
  }

  /**
   * Closes every connection. Pending commands get up to `waitMs` to be answered; then the connection is dropped
   * and they fail, so a Redis that stopped answering cannot hold up a shutdown.
   */
  async close(waitMs = 2_000): Promise<void> {
    await Promise.all(
      [...this.clients.values()].map(async (client) => {
        if (!client.isReady) {
          client.destroy();
          return;
        }
        const closed = client.close().then(
          () => true,
          () => true,
        );
        if (!(await within(closed, waitMs, false))) client.destroy();
      }),
    );
  }
}
