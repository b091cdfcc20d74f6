import type { StoreConfig } from "../config/config-schema.js";
import { SESSION_KEY_BYTES } from "./records/session-key.js";
import { FullRedisReporter } from "./redis/full-redis-reporter.js";
import { type CommandSender, RedisLink } from "./redis/redis-link.js";
import { RedisSessionRepository } from "./redis-session-repository.js";
import type { SweepableRepository, SweepOptions, SweepReport } from "./session-repository.js";
import { hashStoreStats } from "./stats/hash-stats.js";
import type { StatsOptions, StatsProvider, StoreStats } from "./stats/store-stats.js";
import { stringStoreStats } from "./stats/string-stats.js";
import { type RepositoryDependencies, StoreContext } from "./store-context.js";
import { silentLogger } from "./store-logger.js";
import { BucketLayout } from "./strategies/bucket-layout.js";
import { HashStrategy } from "./strategies/hash-strategy.js";
import { StringStrategy } from "./strategies/string-strategy.js";
import { sweepBuckets } from "./sweep/hash-sweep.js";

/** A repository of the string strategy: one Redis String per session. */
export class StringSessionRepository extends RedisSessionRepository implements StatsProvider {
  constructor(
    context: StoreContext,
    private readonly strategy: StringStrategy,
  ) {
    super(context, strategy);
  }

  stats(options?: StatsOptions): Promise<StoreStats> {
    return stringStoreStats(this.context.link, this.strategy.prefix, SESSION_KEY_BYTES, options);
  }
}

/** A repository of the hash strategy: sessions packed as fields of Redis Hash buckets, swept when expired. */
export class HashSessionRepository
  extends RedisSessionRepository
  implements StatsProvider, SweepableRepository
{
  constructor(
    context: StoreContext,
    private readonly strategy: HashStrategy,
  ) {
    super(context, strategy);
  }

  /** The store's bucket layout. */
  get layout(): BucketLayout {
    return this.strategy.layout;
  }

  sweep(options?: SweepOptions): Promise<SweepReport> {
    return sweepBuckets(this.context.link, this.strategy.layout, this.context.now(), options);
  }

  stats(options?: StatsOptions): Promise<StoreStats> {
    return hashStoreStats(this.context.link, this.strategy.layout, options);
  }
}

/**
 * The repository for one configured store, over a node-redis client (or anything that sends commands the same
 * way). The client's connection is the caller's to open and close.
 */
export function createSessionRepository(
  config: StoreConfig,
  client: CommandSender,
  dependencies?: RepositoryDependencies,
): StringSessionRepository | HashSessionRepository {
  const full = new FullRedisReporter(
    config.name,
    dependencies?.logger ?? silentLogger,
    dependencies?.observer ?? {},
    dependencies?.clock ?? Date.now,
  );
  const link = new RedisLink(client, (error) => full.refused(error));
  const context = new StoreContext(config, link, dependencies);
  const prefix = Buffer.from(config.prefix, "utf8");
  if (config.strategy === "string")
    return new StringSessionRepository(context, new StringStrategy(link, prefix));
  return new HashSessionRepository(
    context,
    new HashStrategy(link, new BucketLayout(prefix, config.bucketBits)),
  );
}
