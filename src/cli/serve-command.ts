import { parseArgs } from "node:util";
import type { Config } from "../config/config-schema.js";
import { type ConfigEnv, loadConfig } from "../config/load-config.js";
import { createLogger, type Logger } from "../server/logger.js";
import { type RunningServer, startServer } from "../server/server.js";
import { CliError, EXIT_USAGE } from "./cli-error.js";
import { ensureLocalRedis } from "./private-redis.js";
import type { RedisServer } from "./redis-server-process.js";

/** The configuration settings that `serve`'s flags override, with their flags, for messages naming a setting. */
export const SERVE_FLAGS: Readonly<Record<string, string>> = {
  "server.port": "--port",
  "server.host": "--host",
  "server.metrics.port": "--metrics-port",
};

/** `flag`'s value as a TCP port, or a usage error; `undefined` when absent. */
function portOption(flag: string, value: string | undefined, alternatives = ""): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    throw new CliError(`${flag} must be an integer from 0 to 65535${alternatives}`, EXIT_USAGE);
  }
  return port;
}

/** `--metrics-port`'s value: a port, `off`, or `undefined` when absent. */
export function metricsPortOption(value: string | undefined): number | "off" | undefined {
  return value === "off" ? "off" : portOption("--metrics-port", value, ', or "off"');
}

/**
 * `config` with `--metrics-port` applied: `off` turns the endpoint off, a port (0: any free one) turns it on there,
 * even when the configuration turns it off — whoever names a port on the command line wants metrics on it.
 */
export function withMetricsPort(config: Config, metricsPort: number | "off" | undefined): Config {
  if (metricsPort === undefined) return config;
  const metrics =
    metricsPort === "off"
      ? { ...config.server.metrics, enabled: false }
      : { ...config.server.metrics, enabled: true, port: metricsPort };
  return { ...config, server: { ...config.server, metrics } };
}

function flush(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/**
 * `redisession serve [--config FILE] [--port N] [--host ADDRESS] [--metrics-port N|off]`: starts the service and
 * resolves once it listens; SIGTERM or SIGINT shut it down gracefully and end the process. With nothing configured
 * it uses the local Redis, or starts a private one.
 *
 * @throws {ListenError} when a port cannot be bound, after stopping everything started (the private Redis too).
 */
export async function serveCommand(args: string[], env: ConfigEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "metrics-port": { type: "string" },
    },
    strict: true,
  });
  const port = portOption("--port", values.port);
  const metricsPort = metricsPortOption(values["metrics-port"]);
  let config = loadConfig({ path: values.config, env });
  const logger = createLogger();

  // Nothing configured at all: use the local Redis, or start a private one so a fresh machine just works.
  const nothingConfigured = values.config === undefined && !env.REDISESSION_CONFIG && !env.REDIS_URL;
  let privateRedis: RedisServer | undefined;
  if (nothingConfigured) {
    privateRedis = await ensureLocalRedis(logger);
    if (privateRedis !== undefined) config = loadConfig({ env: { ...env, REDIS_URL: privateRedis.url } });
  }

  let server: RunningServer;
  try {
    server = await startServer({
      config: withMetricsPort(config, metricsPort),
      logger,
      port,
      host: values.host,
    });
  } catch (error) {
    await privateRedis?.stop();
    await flush(logger);
    throw error;
  }
  const stop = async (signal: string) => {
    logger.info({ signal }, "signal received");
    await server.shutdown();
    await privateRedis?.stop();
    await flush(logger);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
