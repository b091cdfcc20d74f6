import type { DescMethod } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Config } from "../config/config-schema.js";
import type { SaveCondition } from "../store/session.js";
import type { SweepReport } from "../store/session-repository.js";
import type { PayloadSizes, StoreObserver } from "../store/store-context.js";

/**
 * Call latencies from a tenth of a millisecond (a read from a local Redis) to the default request timeout (10 s).
 */
export const RPC_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Record sizes: fine (factors of 2) up to 4 KiB, where Redis' hash-max-listpack-value (64 by default) and most
 * sessions lie, then by factors of 4 to 4 MiB (the default maxSessionBytes is 1 MiB of JSON).
 */
export const RECORD_BYTES_BUCKETS: readonly number[] = [
  32, 64, 128, 256, 512, 1024, 2048, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304,
];

/** Sweep durations, from a millisecond (a few buckets) to a minute (millions of sessions). */
export const SWEEP_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60,
];

/** How save conditions are spelled in the `condition` label (as the proto's `SaveCondition` values). */
const CONDITION_LABEL: Readonly<Record<SaveCondition["kind"], string>> = {
  upsert: "upsert",
  mustCreate: "must_create",
  mustExist: "must_exist",
  version: "expected_version",
};

/** The `rpc` label of a method: its full name as on the wire, without the leading slash. */
function rpcName(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

/** The `code` label of a status: its name, as in gRPC's statuscodes.md. */
function codeName(code: status): string {
  return status[code] ?? String(code);
}

/**
 * The service's Prometheus metrics, in a registry of their own (several servers may run in one process, as in
 * the tests), with Node's default process metrics. Filled through {@link ServiceMetrics.observer} (the stores
 * and their connections), {@link ServiceMetrics.onCallEnd} (the gRPC bridge), {@link ServiceMetrics.onRefusal}
 * (calls answered before a handler) and the connection hooks (the gRPC listener); nothing else writes to it.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly rpcCalls: Counter<"rpc" | "code">;
  private readonly rpcDuration: Histogram<"rpc" | "code">;
  private readonly redisErrors: Counter<"connection" | "kind">;
  private readonly redisReconnects: Counter<"connection">;
  private readonly redisReady: Gauge<"connection">;
  private readonly sessionsCreated: Counter<"store">;
  private readonly sessionsDeleted: Counter<"store">;
  private readonly sessionsRotated: Counter<"store">;
  private readonly oomRefusals: Counter<"store">;
  private readonly saves: Counter<"store" | "condition" | "result">;
  private readonly sessionsSwept: Counter<"store">;
  private readonly sweepDuration: Histogram<"store">;
  private readonly recordBytes: Histogram<"store" | "codec">;
  private readonly jsonBytes: Counter<"store" | "codec">;
  private readonly payloadBytes: Counter<"store" | "codec">;
  private readonly rpcNames = new WeakMap<DescMethod, string>();
  private readonly connectionsRefused: Counter;
  private readonly connectionsEvicted: Counter;
  private readonly handshakeTimeouts: Counter;
  /** Reads how many connections are open; set once the listener exists (see {@link watchConnections}). */
  private openConnections: () => number = () => 0;

  /** The observer to give the stores (`RepositoryDependencies.observer`). */
  readonly observer: StoreObserver;

  /**
   * @param config - the stores and connections to start at zero: their counters are exported before the first
   *   event, so rates and alerts see a 0 rather than no series.
   */
  constructor(config?: Pick<Config, "stores">) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    this.rpcCalls = new Counter({
      name: "redisession_rpc_calls_total",
      help: "gRPC calls handled, by full method name (service/method) and status code.",
      labelNames: ["rpc", "code"],
      registers,
    });
    this.rpcDuration = new Histogram({
      name: "redisession_rpc_duration_seconds",
      help: "Time from a gRPC call's arrival to its status being sent, by full method name and status code.",
      labelNames: ["rpc", "code"],
      buckets: [...RPC_DURATION_BUCKETS],
      registers,
    });
    this.redisErrors = new Counter({
      name: "redisession_redis_errors_total",
      help: "Errors reported by a Redis connection's client, by kind (system error code or error class).",
      labelNames: ["connection", "kind"],
      registers,
    });
    this.redisReconnects = new Counter({
      name: "redisession_redis_reconnects_total",
      help: "Attempts to reconnect a Redis connection after it was lost or could not be made.",
      labelNames: ["connection"],
      registers,
    });
    this.redisReady = new Gauge({
      name: "redisession_redis_connection_ready",
      help: "1 when the Redis connection takes commands, 0 while it is down or connecting.",
      labelNames: ["connection"],
      registers,
    });
    this.sessionsCreated = new Counter({
      name: "redisession_sessions_created_total",
      help: "Sessions that came into being: saves of any condition that stored version 1.",
      labelNames: ["store"],
      registers,
    });
    this.sessionsDeleted = new Counter({
      name: "redisession_sessions_deleted_total",
      help: "Deletes that removed a live session.",
      labelNames: ["store"],
      registers,
    });
    this.sessionsRotated = new Counter({
      name: "redisession_sessions_rotated_total",
      help: "Sessions moved to a fresh key.",
      labelNames: ["store"],
      registers,
    });
    // Not derivable from the RPC counts: RESOURCE_EXHAUSTED also answers oversized sessions, and a GetSession whose
    // touch Redis refused still answers OK.
    this.oomRefusals = new Counter({
      name: "redisession_redis_oom_refusals_total",
      help:
        "Commands of a store that Redis refused because it is out of memory (maxmemory reached, nothing to " +
        "evict): writes answered RESOURCE_EXHAUSTED, touches of GetSession skipped. Alert on any increase.",
      labelNames: ["store"],
      registers,
    });
    this.saves = new Counter({
      name: "redisession_session_saves_total",
      help:
        "Saves by condition and result: ok, or the refusal or failure (conflict: an expected-version save " +
        "lost its compare-and-set).",
      labelNames: ["store", "condition", "result"],
      registers,
    });
    this.sessionsSwept = new Counter({
      name: "redisession_sessions_swept_total",
      help: "Expired sessions removed by sweeps of a hash store.",
      labelNames: ["store"],
      registers,
    });
    this.sweepDuration = new Histogram({
      name: "redisession_sweep_duration_seconds",
      help: "Duration of sweeps of a hash store (the count is the number of sweeps).",
      labelNames: ["store"],
      buckets: [...SWEEP_DURATION_BUCKETS],
      registers,
    });
    this.recordBytes = new Histogram({
      name: "redisession_session_record_bytes",
      help:
        "Size of each record saved (header and payload, without the Redis key or field), by the codec " +
        "that encoded the payload (none: stored plain).",
      labelNames: ["store", "codec"],
      buckets: [...RECORD_BYTES_BUCKETS],
      registers,
    });
    this.jsonBytes = new Counter({
      name: "redisession_session_json_bytes_total",
      help: "JSON bytes of the sessions saved, by the codec that encoded them; see ..._payload_bytes_total.",
      labelNames: ["store", "codec"],
      registers,
    });
    this.payloadBytes = new Counter({
      name: "redisession_session_payload_bytes_total",
      help:
        "Payload bytes stored for the sessions saved, by the codec that encoded them; divided by " +
        "..._json_bytes_total it is the compression ratio.",
      labelNames: ["store", "codec"],
      registers,
    });

    this.connectionsRefused = new Counter({
      name: "redisession_connections_refused_total",
      help:
        "Connections closed as soon as they were accepted, because server.maxConnections were open and none was " +
        "still in its handshake.",
      registers,
    });
    this.connectionsEvicted = new Counter({
      name: "redisession_connections_evicted_total",
      help:
        "Connections still in their TLS handshake or before the HTTP/2 preface, closed to make room for a new " +
        "one because server.maxConnections were open.",
      registers,
    });
    this.handshakeTimeouts = new Counter({
      name: "redisession_connection_handshake_timeouts_total",
      help:
        "Connections closed because they had not completed the TLS handshake and the HTTP/2 preface within " +
        "server.handshakeTimeoutMs.",
      registers,
    });
    const openConnections = () => this.openConnections();
    new Gauge({
      name: "redisession_connections_open",
      help: "Connections to the gRPC port open now, in every state (handshake, serving, idle).",
      registers,
      collect() {
        this.set(openConnections());
      },
    });

    this.observer = this.makeObserver();
    if (config !== undefined) this.startAtZero(config);
  }

  /** The `onCallEnd` hook of the gRPC bridge (`BindOptions`). */
  readonly onCallEnd = (method: DescMethod, code: status, seconds: number): void => {
    let rpc = this.rpcNames.get(method);
    if (rpc === undefined) {
      rpc = rpcName(method);
      this.rpcNames.set(method, rpc);
    }
    const labels = { rpc, code: codeName(code) };
    this.rpcCalls.inc(labels);
    this.rpcDuration.observe(labels, seconds);
  };

  /**
   * Counts a call answered before any handler ran (refused by the auth interceptor, or out of time before its
   * request arrived), under its method's HTTP/2 path (`/service/method`). Counted in `redisession_rpc_calls_total`
   * only: it was never timed as a call. The caller passes only paths the server serves, so a client cannot mint
   * label values.
   */
  readonly onRefusal = (path: string, code: status): void => {
    this.rpcCalls.inc({ rpc: path.slice(1), code: codeName(code) });
  };

  /** Counts a connection refused at `server.maxConnections`. */
  readonly onConnectionRefused = (): void => this.connectionsRefused.inc();

  /** Counts a connection closed in its handshake to make room at `server.maxConnections`. */
  readonly onConnectionEvicted = (): void => this.connectionsEvicted.inc();

  /** Counts a connection closed for not completing its handshake in time. */
  readonly onHandshakeTimeout = (): void => this.handshakeTimeouts.inc();

  /** Where `redisession_connections_open` reads the number of open connections from, when scraped. */
  watchConnections(open: () => number): void {
    this.openConnections = open;
  }

  private makeObserver(): StoreObserver {
    return {
      connectionError: (connection, kind) => this.redisErrors.inc({ connection, kind }),
      reconnecting: (connection) => this.redisReconnects.inc({ connection }),
      connectionReady: (connection, ready) => this.redisReady.set({ connection }, ready ? 1 : 0),
      saved: (store, condition, result) =>
        this.saves.inc({ store, condition: CONDITION_LABEL[condition] ?? condition, result }),
      created: (store) => this.sessionsCreated.inc({ store }),
      stored: (store, sizes: PayloadSizes) => {
        const labels = { store, codec: sizes.codec };
        this.recordBytes.observe(labels, sizes.recordBytes);
        this.jsonBytes.inc(labels, sizes.jsonBytes);
        this.payloadBytes.inc(labels, sizes.payloadBytes);
      },
      deleted: (store) => this.sessionsDeleted.inc({ store }),
      rotated: (store) => this.sessionsRotated.inc({ store }),
      backendFull: (store) => this.oomRefusals.inc({ store }),
      swept: (store, report: SweepReport) => {
        this.sessionsSwept.inc({ store }, report.fieldsRemoved);
        this.sweepDuration.observe({ store }, report.elapsedMs / 1000);
      },
    };
  }

  private startAtZero(config: Pick<Config, "stores">): void {
    for (const store of Object.values(config.stores)) {
      this.redisReconnects.inc({ connection: store.redis }, 0);
      for (const counter of [
        this.sessionsCreated,
        this.sessionsDeleted,
        this.sessionsRotated,
        this.oomRefusals,
      ])
        counter.inc({ store: store.name }, 0);
      if (store.strategy === "hash") this.sessionsSwept.inc({ store: store.name }, 0);
    }
  }
}
