import { z } from "zod";
import { integer, strictMapping } from "./schema-helpers.js";

const MAX_MS = 3_600_000;

const sweepShape = {
  /**
   * How often each hash store's expired sessions are swept, in milliseconds; 0 turns the in-server sweeper off
   * (sweep with `redisession cleanup` or the PurgeExpired RPC instead). Integer from 0 to 86400000.
   *
   * @defaultValue 60000
   */
  intervalMs: integer(0, 86_400_000).default(60_000),
  /**
   * Buckets one run sweeps at most, continuing where the previous run (of any replica) stopped. Integer from 1 to
   * 16777216.
   *
   * @defaultValue 4096
   */
  bucketsPerRun: integer(1, 2 ** 24).default(4096),
  /**
   * How long a replica's sweep lease lasts without renewal, in milliseconds: with several replicas on one store
   * only the lease holder sweeps, and a crashed holder's lease expires after this. Integer from 1000 to 3600000.
   *
   * @defaultValue 30000
   */
  leaseMs: integer(1_000, MAX_MS).default(30_000),
};

const metricsShape = {
  /**
   * Whether to serve Prometheus metrics over HTTP at `/metrics`.
   *
   * @defaultValue true
   */
  enabled: z.boolean({ error: "must be true or false" }).default(true),
  /**
   * The address the metrics endpoint listens on.
   *
   * @defaultValue "0.0.0.0"
   */
  host: z
    .string({ error: "must be a host name or IP address" })
    .min(1, "must not be empty")
    .default("0.0.0.0"),
  /**
   * The metrics endpoint's TCP port; 0 picks a free one (tests). Integer from 0 to 65535.
   *
   * @defaultValue 9464
   */
  port: integer(0, 65_535).default(9464),
};

const serverShape = {
  /**
   * The address to listen on. `0.0.0.0` accepts connections on every IPv4 interface; `127.0.0.1` only locally.
   *
   * @defaultValue "0.0.0.0"
   */
  host: z
    .string({ error: "must be a host name or IP address" })
    .min(1, "must not be empty")
    .default("0.0.0.0"),
  /**
   * The TCP port to listen on; 0 picks a free one (tests). The `serve --port` flag overrides it.
   *
   * @defaultValue 50051
   */
  port: integer(0, 65_535).default(50_051),
  /**
   * Longest time any call may take, whatever deadline its client set (or none): bounds the work one call can
   * hold the server to. Integer milliseconds from 1 to 3600000.
   *
   * @defaultValue 10000
   */
  requestTimeoutMs: integer(1, MAX_MS).default(10_000),
  /**
   * On SIGTERM or SIGINT the server reports NOT_SERVING, refuses new calls, and waits this long for calls in
   * flight before closing their connections. Integer milliseconds from 0 to 3600000.
   *
   * @defaultValue 10000
   */
  shutdownGraceMs: integer(0, MAX_MS).default(10_000),
  /**
   * Largest request or response message, in bytes. Integer from 1024 to 67108864 (64 MiB); keep it above the
   * stores' `maxSessionBytes` plus some room for the envelope.
   *
   * @defaultValue 4194304 (4 MiB, gRPC's usual default)
   */
  maxMessageBytes: integer(1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
  /**
   * How often the server pings an idle connection to detect dead peers (HTTP/2 PING). Integer milliseconds from
   * 1000 to 3600000.
   *
   * @defaultValue 60000
   */
  keepaliveTimeMs: integer(1_000, MAX_MS).default(60_000),
  /**
   * How long the server waits for a keepalive ping's answer before closing the connection. Integer milliseconds
   * from 1000 to 3600000.
   *
   * @defaultValue 20000
   */
  keepaliveTimeoutMs: integer(1_000, MAX_MS).default(20_000),
  /**
   * How often the health status is refreshed by pinging every Redis connection. Integer milliseconds from 100 to
   * 60000.
   *
   * @defaultValue 1000
   */
  healthIntervalMs: integer(100, 60_000).default(1_000),
  /**
   * The in-server sweeper of hash stores. See each field.
   *
   * @defaultValue every field's default
   */
  sweep: strictMapping(sweepShape).prefault({}),
  /**
   * The Prometheus metrics endpoint. See each field.
   *
   * @defaultValue every field's default
   */
  metrics: strictMapping(metricsShape).prefault({}),
};

/** The `server` section of the configuration file. */
export const serverSchema = strictMapping(serverShape);

/** How the gRPC server listens, times out and shuts down; every default applied. */
export type ServerConfig = Readonly<z.output<typeof serverSchema>>;
