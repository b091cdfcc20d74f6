/**
 * What the throughput suite measures with: the store variants, the session it stores, the service's
 * configuration and the load shape. Kept apart from the drivers so the report can quote them.
 */
import { randomBytes } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";

/** One store of the service under test: a strategy and a codec. */
export interface StoreVariant {
  /** The store's name in the configuration, and in the tables. */
  readonly name: string;
  readonly strategy: "hash" | "string";
  readonly codec: "none" | "zstd";
}

/** Both strategies with both codecs: four stores of one service, on one Redis. */
export const VARIANTS: readonly StoreVariant[] = [
  { name: "hash-none", strategy: "hash", codec: "none" },
  { name: "hash-zstd", strategy: "hash", codec: "zstd" },
  { name: "string-none", strategy: "string", codec: "none" },
  { name: "string-zstd", strategy: "string", codec: "zstd" },
];

/**
 * A realistic small session (about 210 bytes of JSON): user id, CSRF token, a flash message, a two-line cart and
 * preferences. The token is random per session so that zstd cannot compress sessions better than real ones.
 */
export function sampleSession(): JsonObject {
  return {
    uid: `u_${randomBytes(4).toString("hex")}`,
    csrf: randomBytes(24).toString("base64url"),
    flash: { type: "ok", text: "Address saved." },
    cart: [
      { sku: "BK-1042", qty: 1 },
      { sku: "TS-2210", qty: 2 },
    ],
    prefs: { theme: "dark", lang: "en-GB" },
  };
}

/**
 * The service's configuration: the four stores, metrics on a known port (the suite reads the per-code call
 * counters to check every h2load call's gRPC status), everything else as shipped (sweeper and health polling on).
 *
 * `compressMinBytes: 0` on the zstd stores: the default (400) would store these ~210-byte sessions plain, making
 * the zstd rows a second copy of the none rows. With 0 they are stored compressed (zstd makes them ~12% smaller).
 */
export function serviceYaml(metricsPort: number): string {
  const stores = VARIANTS.map((variant) =>
    [
      `  ${variant.name}:`,
      `    strategy: ${variant.strategy}`,
      `    codec: ${variant.codec}`,
      `    prefix: "${variant.name}:"`,
      ...(variant.codec === "zstd" ? ["    compressMinBytes: 0"] : []),
    ].join("\n"),
  );
  return [
    "stores:",
    ...stores,
    "server:",
    "  metrics:",
    "    host: 127.0.0.1",
    `    port: ${metricsPort}`,
    "",
  ].join("\n");
}

/** Timing of one h2load measurement, in seconds. */
export interface Timing {
  /** Excluded from the figures: connection setup, JIT and Redis script caching. */
  readonly warmUpSeconds: number;
  readonly durationSeconds: number;
}

/** How much of everything a run does. */
export interface Plan {
  /** Rounds of every measurement; each figure is the median over them. */
  readonly rounds: number;
  /** Each h2load measurement (ceiling, get, save, mix, batch). */
  readonly timing: Timing;
  /** Each paced latency round, after an unrecorded warm-up of `latencyWarmUpSeconds`. */
  readonly latencySeconds: number;
  readonly latencyWarmUpSeconds: number;
  /** Sessions created per store (at least the ones the bodies use: one per GetSession, 100 per batch). */
  readonly sessionsPerStore: number;
}

/**
 * Full: 5 rounds × 4 stores × 4 h2load runs of 0.5 + 3 s (4¾ min), 5 rounds × (4 stores × 3 loads + 2 floor
 * runs) of 1 + 2 s paced (3½ min), 5 rounds × 4 stores of batches (1¼ min): about 10 minutes with setup. Five
 * longer rounds rather than three of 1.5 s: on these shared 2-core machines the ceiling alone moved by 1.3× between
 * consecutive 1.5-second runs. Quick: one round of everything, shorter: about 1½ minutes.
 */
export function plan(quick: boolean): Plan {
  return quick
    ? {
        rounds: 1,
        timing: { warmUpSeconds: 0.5, durationSeconds: 1 },
        latencySeconds: 1.5,
        latencyWarmUpSeconds: 0.5,
        sessionsPerStore: 400,
      }
    : {
        rounds: 5,
        timing: { warmUpSeconds: 0.5, durationSeconds: 3 },
        latencySeconds: 2,
        latencyWarmUpSeconds: 1,
        sessionsPerStore: 1000,
      };
}

/**
 * The load shape of every h2load measurement: 4 connections × 32 concurrent streams, as 4 h2load processes of one
 * connection each, so that each connection can send its own request body (h2load sends one body per process).
 * 128 calls in flight keep the single-threaded service saturated without queueing so deep that the figures
 * measure the queue; the ceiling and every RPC run with exactly this shape.
 */
export const CONNECTIONS = 4;
export const STREAMS_PER_CONNECTION = 32;

/** Keys per BatchGetSessions call, as the issue asks. */
export const BATCH_KEYS = 100;
/**
 * Streams per connection for batches: each call reads 100 sessions, so 4 × 4 calls in flight already keep 1600
 * reads queued in Redis; more would only lengthen the queue.
 */
export const BATCH_STREAMS_PER_CONNECTION = 4;

/** The paced loads: the (half the Health.Check ceiling), half of each store's own GetSession, light. */
export const HALF_CEILING = "½ ceiling";
export const HALF_OWN = "½ own GetSession";
export const LIGHT = "light";
/** The light load: well under any store's capacity, so its latency is the floor this machine allows. */
export const LIGHT_RATE = 1_000;
