import type { DescService } from "@bufbuild/protobuf";
import { type ChannelOptions, Server, type ServerInterceptor } from "@grpc/grpc-js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { file_redisession_v1_error_reason } from "../../gen/redisession/v1/error_reason_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { authInterceptor } from "../auth/auth-interceptor.js";
import { exposureWarning } from "../auth/exposure-warning.js";
import { accessRules } from "../auth/method-access.js";
import { serverTlsOptions } from "../auth/server-tls.js";
import { loadTokenGrants } from "../auth/token-source.js";
import type { Config } from "../config/config-schema.js";
import type { ConfigEnv } from "../config/load-config.js";
import { serviceAccess } from "../config/server-schema.js";
import { type MetricsServer, startMetricsServer } from "../metrics/metrics-server.js";
import { ServiceMetrics } from "../metrics/service-metrics.js";
import { serviceDefinition } from "../rpc/method-definitions.js";
import { StoreRegistry } from "../store/store-registry.js";
import { sweepAbandonedConnections } from "./abandoned-connections.js";
import { adminHandlers } from "./admin-handlers.js";
import { createInjector } from "./connection-injector.js";
import { type ConnectionListener, listenForConnections } from "./connection-listener.js";
import { toCallFailure } from "./grpc-status.js";
import { HealthMonitor, healthHandlers } from "./health.js";
import { openHttp2Sessions } from "./http2-servers.js";
import { ListenError, systemErrorCode } from "./listen-error.js";
import type { Logger } from "./logger.js";
import { connectionLimitWarning, openFileLimit } from "./open-file-limit.js";
import { RateLimitedWarning } from "./rate-limited-warning.js";
import { reflectionService } from "./reflection.js";
import { requestDeadlineInterceptor } from "./request-deadline.js";
import { type BindOptions, bindService, type ServiceImpl } from "./service-impl.js";
import { sessionHandlers } from "./session-handlers.js";
import { STATUS_DETAIL_FILES } from "./status-details.js";
import { guardStreams } from "./stream-guard.js";
import { startSweeper } from "./sweep-scheduler.js";

/** What reflection serves besides the services' own files: the error details and their reasons' catalog. */
const ERROR_DETAIL_FILES = [...STATUS_DETAIL_FILES, file_redisession_v1_error_reason];

/** The log line of connections refused at `server.maxConnections` (at most one per 10 s, with their count). */
export const CONNECTIONS_REFUSED_MESSAGE =
  "connections refused: server.maxConnections are open; each was closed as soon as it was accepted";

/** The log line of connections closed in their handshake to make room for new ones (rate-limited the same way). */
export const CONNECTIONS_EVICTED_MESSAGE =
  "connections closed before their handshake was done, to make room for new ones: server.maxConnections are open";

/** The log line of connections closed for not completing their handshake (rate-limited the same way). */
export const HANDSHAKE_TIMEOUT_MESSAGE =
  "connections closed: no TLS handshake and HTTP/2 preface within server.handshakeTimeoutMs";

/** What {@link startServer} needs. */
export interface StartServerOptions {
  /** The validated configuration: stores, Redis connections and the `server` section. */
  readonly config: Config;
  /** Structured logs. */
  readonly logger: Logger;
  /** Overrides `config.server.port` (0: any free port). */
  readonly port?: number;
  /** Overrides `config.server.host`. */
  readonly host?: string;
  /** How long to wait at start-up for Redis before serving anyway (health says NOT_SERVING meanwhile). Default: 2 s. */
  readonly redisWaitMs?: number;
  /** Where `server.auth.tokenEnv` is looked up. Default: `process.env`. */
  readonly env?: ConfigEnv;
  /**
   * Milliseconds since the Unix epoch, for the stores (session times and the interval of their rate-limited log
   * lines) and for the interval of the connection warnings. Default: `Date.now`. Tests move it instead of
   * waiting.
   */
  readonly clock?: () => number;
}

/** A listening server. */
export interface RunningServer {
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** The port of the Prometheus endpoint (`GET /metrics`), when `server.metrics.enabled` (the real one for 0). */
  readonly metricsPort?: number;
  /** The service's metrics (its own prom-client registry), when `server.metrics.enabled`. */
  readonly metrics?: ServiceMetrics;
  readonly health: HealthMonitor;
  readonly stores: StoreRegistry;
  /**
   * Graceful shutdown: NOT_SERVING at once, new calls refused, calls in flight given `graceMs` (default: the
   * configured `shutdownGraceMs`) to finish, then every connection closed; then Redis. Idempotent.
   */
  shutdown(graceMs?: number): Promise<void>;
}

function channelOptions(config: Config["server"]): ChannelOptions {
  return {
    "grpc.max_receive_message_length": config.maxMessageBytes,
    "grpc.max_send_message_length": config.maxMessageBytes,
    "grpc.max_concurrent_streams": config.maxConcurrentStreams,
    "grpc.keepalive_time_ms": config.keepaliveTimeMs,
    "grpc.keepalive_timeout_ms": config.keepaliveTimeoutMs,
    // Clients with long-lived idle channels keep them alive with pings; do not punish them for it.
    "grpc.keepalive_permit_without_calls": 1,
    // Channelz keeps per-call counters and traces that nothing here reads; profiling showed its bookkeeping on
    // every call.
    "grpc.enable_channelz": 0,
    ...(config.maxConnectionIdleMs > 0 && { "grpc.max_connection_idle_ms": config.maxConnectionIdleMs }),
  };
}

/**
 * Serves `metrics` on `server.metrics`' address. A port that cannot be bound fails the whole start: serving
 * without the metrics the configuration asks for would go unnoticed.
 *
 * @throws {ListenError} when that address cannot be bound.
 */
async function listenForMetrics(
  metrics: ServiceMetrics,
  address: Config["server"]["metrics"],
): Promise<MetricsServer> {
  try {
    return await startMetricsServer(metrics.registry, address);
  } catch (error) {
    const listener = {
      name: "metrics",
      host: address.host,
      port: address.port,
      hostSetting: "server.metrics.host",
      portSetting: "server.metrics.port",
    };
    throw new ListenError(listener, systemErrorCode(error), { cause: error });
  }
}

/**
 * Starts the gRPC server: SessionService, SessionAdminService, grpc.health.v1.Health and server reflection, over the configured
 * stores; over TLS with `server.tls`, and behind bearer tokens with `server.auth` (the admin service and reflection
 * as `server.adminService` and `server.reflection` say), and the metrics endpoint with `server.metrics.enabled`.
 * Resolves once every listener is bound; only then does it log "redisession listening" and start the health
 * checks that turn SERVING.
 *
 * @throws {ConfigError} when a TLS file or the token table named by `server.auth` cannot be read or used.
 * @throws {ListenError} when a listener cannot be bound, after closing whatever it had opened (listeners, Redis).
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  // Certificates and tokens first: an unreadable file or a bad entry fails the start before Redis is touched.
  const tls = serverTlsOptions(config.server.tls);
  const access = serviceAccess(config.server);
  const auth = config.server.auth;
  const grants =
    auth === undefined
      ? undefined
      : loadTokenGrants(auth, options.env ?? process.env, Object.keys(config.stores));
  const metrics = config.server.metrics.enabled ? new ServiceMetrics(config) : undefined;
  // No per-command timer on the service's connections: each call's deadline already bounds it (CommandLimits).
  const stores = StoreRegistry.fromConfig(
    config,
    { logger, observer: metrics?.observer, clock: options.clock },
    { commandTimeoutMs: 0 },
  );
  const redisReady = await stores.open(options.redisWaitMs ?? 2_000);
  if (!redisReady)
    logger.warn("Redis is not reachable yet; serving anyway and reporting NOT_SERVING until it is");

  // Health says NOT_SERVING until it is started, once every listener is bound.
  const health = new HealthMonitor(stores, config.server.healthIntervalMs);

  const shutdownController = new AbortController();
  const bindOptions: BindOptions = {
    requestTimeoutMs: config.server.requestTimeoutMs,
    toStatus: (error, method) => toCallFailure(error, method, logger),
    shutdownSignal: shutdownController.signal,
    maxResponseBytes: config.server.maxMessageBytes,
    onCallEnd: metrics?.onCallEnd,
  };
  const rules = accessRules(access);
  const answerEarly = (error: unknown, path: string) => {
    const failure = toCallFailure(error, path, logger);
    // Calls answered by an interceptor never reach the bridge's onCallEnd; only served paths become metric labels.
    if (rules.has(path)) metrics?.onRefusal(path, failure.code);
    return failure;
  };
  // The deadline first: it runs from the stream's arrival, whatever the others wait for. Without auth, no auth
  // interceptor is installed at all.
  const interceptors: ServerInterceptor[] = [
    requestDeadlineInterceptor({ timeoutMs: config.server.requestTimeoutMs, toStatus: answerEarly }),
  ];
  if (grants !== undefined) interceptors.push(authInterceptor({ grants, rules, toStatus: answerEarly }));
  const server = new Server({ ...channelOptions(config.server), interceptors });
  const register = <S extends DescService>(service: S, impl: ServiceImpl<S>) =>
    // Large session data is decoded by its handler, once its store's limit is known (session-messages.ts).
    server.addService(
      serviceDefinition(service, { deferLargeStructs: true }),
      bindService(service, impl, bindOptions),
    );
  register(SessionService, sessionHandlers(stores));
  if (access.adminService !== "off") {
    register(SessionAdminService, adminHandlers(stores, config));
  }
  register(Health, healthHandlers(health));
  if (access.reflection !== "off") {
    const served = access.adminService === "off" ? [] : [SessionAdminService];
    // The error details' types too: a tool that meets a google.rpc.ErrorInfo in a trailer can ask for it, and for
    // the ErrorReason catalog its reason comes from.
    reflectionService([SessionService, ...served, Health], ERROR_DETAIL_FILES).addToServer(server);
  }

  // Our listener owns each connection until its handshake is done, then hands it to grpc-js
  // (connection-listener.ts); the stream guard sees each stream before grpc-js does (stream-guard.ts).
  const { injector, http2Server } = createInjector(server);
  guardStreams(http2Server);
  const host = options.host ?? config.server.host;
  const { maxConnections, handshakeTimeoutMs } = config.server;
  const refusals = new RateLimitedWarning(
    logger,
    CONNECTIONS_REFUSED_MESSAGE,
    { maxConnections },
    options.clock,
  );
  const evictions = new RateLimitedWarning(
    logger,
    CONNECTIONS_EVICTED_MESSAGE,
    { maxConnections },
    options.clock,
  );
  const handshakeTimeouts = new RateLimitedWarning(
    logger,
    HANDSHAKE_TIMEOUT_MESSAGE,
    { handshakeTimeoutMs },
    options.clock,
  );
  const grpcAddress = {
    name: "gRPC",
    host,
    port: options.port ?? config.server.port,
    hostSetting: "server.host",
    portSetting: "server.port",
  };

  // Every listener is bound before anything says the server is ready; a listener that cannot be bound undoes the
  // start. The gRPC port comes last: once bound it serves calls, and no call may reach a server that then fails.
  let metricsServer: MetricsServer | undefined;
  let listener: ConnectionListener;
  try {
    if (metrics !== undefined) metricsServer = await listenForMetrics(metrics, config.server.metrics);
    listener = await listenForConnections({
      host: grpcAddress.host,
      port: grpcAddress.port,
      tls,
      maxConnections,
      handshakeTimeoutMs,
      serve: (connection) => injector.injectConnection(connection),
      events: {
        refused: () => {
          metrics?.onConnectionRefused();
          refusals.occurred();
        },
        evicted: () => {
          metrics?.onConnectionEvicted();
          evictions.occurred();
        },
        handshakeTimedOut: () => {
          metrics?.onHandshakeTimeout();
          handshakeTimeouts.occurred();
        },
      },
    }).catch((error: unknown) => {
      // Our own net listener rejects with the system's error, which names the cause (EADDRINUSE, EACCES...).
      throw new ListenError(grpcAddress, systemErrorCode(error), { cause: error });
    });
  } catch (error) {
    server.forceShutdown();
    await metricsServer?.close();
    await stores.close();
    throw error;
  }
  metrics?.watchConnections(() => listener.open);
  const port = listener.port;
  // Connections Node's HTTP/2 layer has ended (rapid reset and other floods) are otherwise kept open for minutes.
  const abandoned = sweepAbandonedConnections(() => openHttp2Sessions(server), logger);
  await health.start();

  if (metricsServer !== undefined) {
    logger.info(
      { host: metricsServer.host, port: metricsServer.port, path: "/metrics" },
      "metrics listening",
    );
  }
  logger.info(
    {
      host,
      port,
      metricsHost: metricsServer?.host,
      metricsPort: metricsServer?.port,
      stores: stores.names(),
      tls: config.server.tls !== undefined,
      auth: auth !== undefined,
    },
    "redisession listening",
  );
  const warning = exposureWarning(host, { tls: config.server.tls !== undefined, auth: auth !== undefined });
  if (warning !== undefined) logger.warn(warning);
  const limitWarning = connectionLimitWarning(maxConnections, openFileLimit());
  if (limitWarning !== undefined) logger.warn(limitWarning);

  // Hash stores are swept in the background; with several replicas, a Redis lease lets one sweep at a time.
  const sweeper =
    config.server.sweep.intervalMs > 0
      ? startSweeper(stores.targets, config.server.sweep, { observer: stores.observer, logger })
      : undefined;

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = config.server.shutdownGraceMs): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ graceMs }, "shutting down: NOT_SERVING, draining calls in flight");
      health.beginShutdown();
      // Let open Watch streams send NOT_SERVING before they are ended.
      await new Promise((resolve) => setImmediate(resolve));
      shutdownController.abort();
      listener.stopAccepting();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn("grace period over: closing remaining calls");
          server.forceShutdown();
          listener.destroyAll();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      // A client that never closed its side after the GOAWAY keeps its connection half-open; nothing is left to
      // send on it.
      listener.destroyAll();
      health.stop();
      abandoned.stop();
      // A sweep in progress finishes its batch and releases its lease before the connections close.
      await sweeper?.stop();
      await stores.close();
      await metricsServer?.close();
      logger.info("stopped");
    })();
    return stopping;
  };

  return { port, metricsPort: metricsServer?.port, metrics, health, stores, shutdown };
}
