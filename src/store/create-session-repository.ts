/**
 * Assembles one configured store's repository: the Redis link with its full-Redis reporter, the store context, and
 * the strategy the configuration names. The one place that chooses a strategy.
 */

import type { StoreConfig } from "../config/config-schema.js";
import { FullRedisReporter } from "./redis/full-redis-reporter.js";
import { type CommandSender, RedisLink } from "./redis/redis-link.js";
import { RedisSessionRepository } from "./redis-session-repository.js";
import { type RepositoryDependencies, StoreContext } from "./store-context.js";
import { silentLogger } from "./store-logger.js";
import { BucketLayout } from "./strategies/bucket-layout.js";
import { HashStrategy } from "./strategies/hash-strategy.js";
import { StringStrategy } from "./strategies/string-strategy.js";

/**
 * The repository for one configured store, over a node-redis client (or anything that sends commands the same
 * way). The client's connection is the caller's to open and close.
 */
export function createSessionRepository(
  config: StoreConfig,
  client: CommandSender,
  dependencies?: RepositoryDependencies,
): RedisSessionRepository {
  const full = new FullRedisReporter(
    config.name,
    dependencies?.logger ?? silentLogger,
    dependencies?.observer ?? {},
    dependencies?.clock ?? Date.now,
  );
  const link = new RedisLink(client, (error) => full.refused(error));
  const context = new StoreContext(config, link, dependencies);
  const prefix = Buffer.from(config.prefix, "utf8");
  const strategy =
    config.strategy === "string"
      ? new StringStrategy(link, prefix)
      : new HashStrategy(link, new BucketLayout(prefix, config.bucketBits));
  return new RedisSessionRepository(context, strategy);
}
