/**
 * The service configuration: one YAML or JSON file plus environment overrides, validated once at start-up.
 * Start with {@link loadConfig}; the fields are documented on {@link StoreConfig} and
 * {@link RedisConnectionConfig} (and the schemas they derive from).
 *
 * @module
 */
export { ConfigError, type ConfigErrorOptions, type ConfigIssue, formatConfigPath } from "./config-error.js";
export {
  type Config,
  type ConfigInput,
  configSchema,
  DEFAULT_REDIS_URL,
  DEFAULT_STORE,
  type ParsedConfig,
  type ParsedStoreConfig,
  type RedisConnectionConfig,
  redisConnectionSchema,
  type StoreConfig,
  type StoreStrategy,
  storeSchema,
  storeStrategies,
} from "./config-schema.js";
export {
  type DurationBounds,
  type DurationResult,
  durationSeconds,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
} from "./duration.js";
export { type ConfigEnv, type LoadConfigOptions, loadConfig, parseConfig } from "./load-config.js";
export { type ServerConfig, serverSchema } from "./server-schema.js";
