import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type GetStoreStatsResponseSchema,
  type PurgeExpiredResponseSchema,
  type StoreInfoSchema,
  StoreStrategy,
} from "../../gen/redisession/v1/admin_service_pb.js";
import type { RedisConnectionConfig, StoreConfig } from "../config/config-schema.js";
import type { SweepReport } from "../store/session-repository.js";
import type { StoreStats } from "../store/stats/store-stats.js";

/** Conversions from the store's reports and the configuration to SessionAdminService messages. */

const STRATEGIES = { string: StoreStrategy.STRING, hash: StoreStrategy.HASH } as const;

/** A sweep report as a PurgeExpired response. */
export function purgeResponse(report: SweepReport): MessageInitShape<typeof PurgeExpiredResponseSchema> {
  return {
    applicable: true,
    bucketsScanned: report.bucketsScanned,
    fieldsScanned: BigInt(report.fieldsScanned),
    fieldsRemoved: BigInt(report.fieldsRemoved),
    corruptFields: BigInt(report.corruptFields),
    nextBucket: report.nextBucket ?? undefined,
    elapsed: durationFromMs(Math.round(report.elapsedMs)),
  };
}

/** A store's stats as a GetStoreStats response. */
export function statsResponse(
  store: string,
  stats: StoreStats,
): MessageInitShape<typeof GetStoreStatsResponseSchema> {
  return {
    store,
    strategy: STRATEGIES[stats.strategy],
    sessions: BigInt(stats.sessions),
    exact: stats.exact,
    buckets: stats.buckets,
    encodings: stats.encodings,
    recordBytes: stats.recordBytes,
    listpackLimits: stats.listpackLimits ?? undefined,
    maxmemoryPolicy: stats.maxmemoryPolicy ?? undefined,
    memory:
      stats.memory === null
        ? undefined
        : {
            sampledKeys: stats.memory.sampledKeys,
            bytesPerSession: stats.memory.bytesPerSession,
            totalBytes: BigInt(stats.memory.totalBytes),
          },
    advisories: stats.advisories,
  };
}

/** Where a connection points, without credentials: `host:port`, plus `/db` when not 0. */
export function redisAddress(connection: RedisConnectionConfig): string {
  const url = new URL(connection.url);
  const database = url.pathname.replace(/^\//, "");
  return `${url.hostname}:${url.port || "6379"}${database && database !== "0" ? `/${database}` : ""}`;
}

/** A configured store as ListStores shows it: its settings, never a password. */
export function storeInfo(
  store: StoreConfig,
  connection: RedisConnectionConfig | undefined,
): MessageInitShape<typeof StoreInfoSchema> {
  const seconds = (value: number) => ({ seconds: BigInt(value) });
  return {
    name: store.name,
    strategy: STRATEGIES[store.strategy],
    prefix: store.prefix,
    bucketBits: store.bucketBits,
    codec: store.codec,
    compressMinBytes: store.compressMinBytes,
    defaultTtl: seconds(store.defaultTtl),
    maxTtl: seconds(store.maxTtl),
    maxLifetime: store.maxLifetime > 0 ? seconds(store.maxLifetime) : undefined,
    maxSessionBytes: store.maxSessionBytes,
    maxDataDepth: store.maxDataDepth,
    requestIdTtl: seconds(store.requestIdTtl),
    redis: store.redis,
    redisAddress: connection === undefined ? "" : redisAddress(connection),
  };
}
