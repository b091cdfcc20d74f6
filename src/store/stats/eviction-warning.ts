/**
 * The warning an operator gets, once per connection and policy, when the Redis behind a connection may evict live
 * sessions.
 */

import type { StoreConfig } from "../../config/config-schema.js";
import type { RedisLink } from "../redis/redis-link.js";
import type { StoreLogger } from "../store-logger.js";
import { evictionRisk, NO_EVICTION, readMaxmemoryPolicy } from "./eviction-policy.js";

/** The log message of the warning, stable for log searches. */
export const EVICTION_WARNING_MESSAGE = `Redis may evict sessions: its maxmemory-policy is not ${NO_EVICTION}`;

/**
 * Warns when the Redis behind a connection may delete live sessions to make room (its `maxmemory-policy`), one
 * line per connection naming the policy and what it means for each of its stores at risk. Checked whenever the
 * connection becomes ready (a reconnection may reach another server, after a failover); logged again only when
 * the policy differs from the one last seen, so a flapping connection does not repeat it.
 */
export class EvictionWarning {
  /** The policy seen by the last check that read one. */
  private lastPolicy: string | undefined;
  private latest: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: string,
    private readonly stores: readonly StoreConfig[],
    private readonly link: RedisLink,
    private readonly logger: StoreLogger,
  ) {}

  /** Reads the policy and warns if it may evict sessions. Never rejects: an unreadable policy is no warning. */
  check(): Promise<void> {
    this.latest = this.checkNow().catch(() => undefined);
    return this.latest;
  }

  /** Settles when the last check started has. */
  settled(): Promise<void> {
    return this.latest;
  }

  private async checkNow(): Promise<void> {
    const policy = await readMaxmemoryPolicy(this.link);
    if (policy === null || policy === this.lastPolicy) return;
    this.lastPolicy = policy;
    const atRisk = this.stores.flatMap((store) => {
      const risk = evictionRisk(policy, store);
      return risk === null ? [] : [[store.name, risk] as const];
    });
    if (atRisk.length === 0) return;
    this.logger.warn(
      { redis: this.connection, maxmemoryPolicy: policy, stores: Object.fromEntries(atRisk) },
      EVICTION_WARNING_MESSAGE,
    );
  }
}
