import type { DescService } from "@bufbuild/protobuf";
import { type ChannelOptions, Server } from "@grpc/grpc-js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { file_redisession_v1_error_reason } from "../../gen/redisession/v1/error_reason_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { authInterceptor } from "../auth/auth-interceptor.js";
import { exposureWarning } from "../auth/exposure-warning.js";
import { accessRules } from "../auth/method-access.js";
import { serverCredentials } from "../auth/server-credentials.js";
import { loadTokenGrants } from "../auth/token-source.js";
import type { Config } from "../config/config-schema.js";
import type { ConfigEnv } from "../config/load-config.js";
import { serviceAccess } from "../config/server-schema.js";
import { type MetricsServer, startMetricsServer } from "../metrics/metrics-server.js";
import { ServiceMetrics } from "../metrics/service-metrics.js";
import { serviceDefinition } from "../rpc/method-definitions.js";
import { SessionStores } from "../store/store-registry.js";
import { startSweeper } from "../store/sweep-scheduler.js";
import { sweepAbandonedConnections } from "./abandoned-connections.js";
import { adminHandlers } from "./admin-handlers.js";
import { toCallFailure } from "./grpc-status.js";
import { HealthMonitor, healthHandlers } from "./health.js";
import { openHttp2Sessions } from "./http2-servers.js";
import type { Logger } from "./logger.js";
import { reflectionService } from "./reflection.js";
import { type BindOptions, bindService, type ServiceImpl } from "./service-impl.js";
import { sessionHandlers } from "./session-handlers.js";
import { STATUS_DETAIL_FILES } from "./status-details.js";

/** What reflection serves besides the services' own files: the error details and their reasons' catalog. */
const ERROR_DETAIL_FILES = [...STATUS_DETAIL_FILES, file_redisession_v1_error_reason];

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
   * Milliseconds since the Unix epoch, for the stores: session times and the interval of their rate-limited log
   * lines. Default: `Date.now`. Tests move it instead of waiting.
   */
  readonly clock?: () => number;
}

/** A listening server. */
export interface RunningServer {
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** The port of the Prometheus endpoint (`GET /metrics`), when `server.metrics.enabled`. */
  readonly metricsPort?: number;
  /** The service's metrics (its own prom-client registry), when `server.metrics.enabled`. */
  readonly metrics?: ServiceMetrics;
  readonly health: HealthMonitor;
  readonly stores: SessionStores;
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
  };
}

/**
 * Starts the gRPC server: SessionService, SessionAdminService, grpc.health.v1.Health and server reflection, over the configured
 * stores; over TLS with `server.tls`, and behind bearer tokens with `server.auth` (the admin service and reflection
 * as `server.adminService` and `server.reflection` say). Resolves once it listens.
 *
 * @throws {ConfigError} when a TLS file or the token table named by `server.auth` cannot be read or used.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  // Certificates and tokens first: an unreadable file or a bad entry fails the start before Redis is touched.
  const credentials = serverCredentials(config.server.tls);
  const access = serviceAccess(config.server);
  const auth = config.server.auth;
  const grants =
    auth === undefined
      ? undefined
      : loadTokenGrants(auth, options.env ?? process.env, Object.keys(config.stores));
  const metrics = config.server.metrics.enabled ? new ServiceMetrics(config) : undefined;
  // No per-command timer on the service's connections: each call's deadline already bounds it (CommandLimits).
  const stores = SessionStores.fromConfig(
    config,
    { logger, observer: metrics?.observer, clock: options.clock },
    { commandTimeoutMs: 0 },
  );
  const redisReady = await stores.open(options.redisWaitMs ?? 2_000);
  if (!redisReady)
    logger.warn("Redis is not reachable yet; serving anyway and reporting NOT_SERVING until it is");

  const health = new HealthMonitor(stores, config.server.healthIntervalMs);
  await health.start();

  const shutdownController = new AbortController();
  const bindOptions: BindOptions = {
    requestTimeoutMs: config.server.requestTimeoutMs,
    toStatus: (error, method) => toCallFailure(error, method, logger),
    shutdownSignal: shutdownController.signal,
    maxResponseBytes: config.server.maxMessageBytes,
    onCallEnd: metrics?.onCallEnd,
  };
  // Without auth no interceptor is installed at all: calls cost what they did before auth existed.
  const rules = accessRules(access);
  const interceptors =
    grants === undefined
      ? []
      : [
          authInterceptor({
            grants,
            rules,
            toStatus: (error, path) => {
              const failure = toCallFailure(error, path, logger);
              // Refused calls never reach the bridge's onCallEnd; only served paths become metric labels.
              if (rules.has(path)) metrics?.onRefusal(path, failure.code);
              return failure;
            },
          }),
        ];
  const server = new Server({ ...channelOptions(config.server), interceptors });
  const register = <S extends DescService>(service: S, impl: ServiceImpl<S>) =>
    // Large session data is decoded by its handler, once its store's limit is known (session-messages.ts).
    server.addService(
      serviceDefinition(service, { deferLargeStructs: true }),
      bindService(service, impl, bindOptions),
    );
  register(SessionService, sessionHandlers(stores));
  if (access.adminService !== "off") {
    register(
      SessionAdminService,
      adminHandlers(stores, config, (store, report) => stores.observer.swept?.(store, report)),
    );
  }
  register(Health, healthHandlers(health));
  if (access.reflection !== "off") {
    const served = access.adminService === "off" ? [] : [SessionAdminService];
    // The error details' types too: a tool that meets a google.rpc.ErrorInfo in a trailer can ask for it, and for
    // the ErrorReason catalog its reason comes from.
    reflectionService([SessionService, ...served, Health], ERROR_DETAIL_FILES).addToServer(server);
  }

  const host = options.host ?? config.server.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? config.server.port}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  // Connections Node's HTTP/2 layer has ended (rapid reset and other floods) are otherwise kept open for minutes.
  const abandoned = sweepAbandonedConnections(() => openHttp2Sessions(server), logger);
  logger.info(
    { host, port, stores: stores.names(), tls: config.server.tls !== undefined, auth: auth !== undefined },
    "redisession listening",
  );
  const warning = exposureWarning(host, { tls: config.server.tls !== undefined, auth: auth !== undefined });
  if (warning !== undefined) logger.warn(warning);

  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined) {
    try {
      metricsServer = await startMetricsServer(metrics.registry, config.server.metrics);
    } catch (error) {
      // Serving without the metrics the configuration asks for would go unnoticed: fail the start instead.
      server.forceShutdown();
      abandoned.stop();
      health.stop();
      await stores.close();
      throw error;
    }
    logger.info(
      { host: metricsServer.host, port: metricsServer.port, path: "/metrics" },
      "metrics listening",
    );
  }

  // Hash stores are swept in the background; with several replicas, a Redis lease lets one sweep at a time.
  const sweeper =
    config.server.sweep.intervalMs > 0
      ? startSweeper(stores.targets, config.server.sweep, {
          observer: {
            onSweep: (store, report) => {
              stores.observer.swept?.(store, report);
              if (report.fieldsRemoved > 0) logger.info({ store, ...report }, "swept expired sessions");
            },
            onError: (store, error) => logger.warn({ store, err: error }, "sweep failed; will retry"),
          },
        })
      : undefined;

  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = config.server.shutdownGraceMs): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ graceMs }, "shutting down: NOT_SERVING, draining calls in flight");
      health.beginShutdown();
      // Let open Watch streams send NOT_SERVING before they are ended.
      await new Promise((resolve) => setImmediate(resolve));
      shutdownController.abort();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          logger.warn("grace period over: closing remaining calls");
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
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
