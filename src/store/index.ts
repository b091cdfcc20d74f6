/**
 * What the store offers in one import: the repository (built by {@link createSessionRepository}), its errors and
 * session types, the Redis client it runs on, and the stats and observer types. The store knows nothing of gRPC.
 *
 * @module
 */

export { createSessionRepository } from "./create-session-repository.js";
export * from "./errors.js";
export { isSessionKey } from "./records/session-key.js";
export { parseSessionJson, type SessionDataReader } from "./records/session-payload.js";
export { type ConnectionObserver, createRedisClient, type RedisClient } from "./redis/redis-connection.js";
export type { CommandSender } from "./redis/redis-link.js";
export { RedisSessionRepository } from "./redis-session-repository.js";
export type { JsonObject, JsonValue, SaveCondition, Session, SessionStamp } from "./session.js";
export type {
  BatchGetResult,
  CreateOptions,
  GetOptions,
  RequestOptions,
  RotateOptions,
  SaveOptions,
  SessionRepository,
  Sweeper,
  SweepOptions,
  SweepReport,
  TtlOptions,
} from "./session-repository.js";
export type {
  BucketFill,
  ListpackLimits,
  StatsOptions,
  StatsProvider,
  StoreStats,
} from "./stats/store-stats.js";
export type { PayloadSizes, RepositoryDependencies, StoreObserver } from "./store-context.js";
export type { StoreLogger } from "./store-logger.js";
