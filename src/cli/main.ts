#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigError } from "../config/config-error.js";
import { type ConfigEnv, loadConfig } from "../config/load-config.js";
import { createLogger } from "../server/logger.js";
import { startServer } from "../server/server.js";
import { cleanupCommand } from "./cleanup-command.js";
import { CliError } from "./cli-error.js";
import { ensureLocalRedis, NoRedisError } from "./private-redis.js";
import type { RedisServer } from "./redis-server-process.js";
import { statsCommand } from "./stats-command.js";
import { trainDictionaryCommand } from "./train-dictionary-command.js";

const USAGE = `usage: redisession serve [--config FILE] [--port N] [--host ADDRESS]
       redisession cleanup [--config FILE] [--store NAME | --all]
       redisession stats [--config FILE] [--store NAME] [--json]
       redisession train-dictionary [--config FILE] [--store NAME] [--samples N] [--size BYTES] --out FILE

Commands:
  serve             run the gRPC session service
  cleanup           remove expired sessions from hash stores now: one full sweep of every bucket, with a progress
                    bar on a terminal, then one summary line per store (string stores have nothing to sweep)
  stats             show each store's sessions, bucket fill, encodings, record sizes and listpack limits, with
                    advice
  train-dictionary  train a zstd dictionary on a sample of a store's live sessions (needs the zstd tool), for
                    the store's zstdDictionaries and codec zstd-dict; reports how it does on held-out sessions

Options:
  --config FILE   YAML or JSON configuration (default: $REDISESSION_CONFIG, else built-in defaults)
  --port N        serve: port to listen on (default: the configuration's server.port, 50051)
  --host ADDRESS  serve: address to listen on (default: the configuration's server.host, 0.0.0.0)
  --store NAME    cleanup, train-dictionary: the store (default: the default store); stats: only this store
                  (default: all)
  --all           cleanup: sweep every store
  --json          stats: print the raw statistics as one JSON object keyed by store name
  --samples N     train-dictionary: sessions to sample, 10 to 100000 (default 2000)
  --size BYTES    train-dictionary: largest dictionary, 256 to 1048576 bytes (default 16384)
  --out FILE      train-dictionary: where to write the dictionary (mode 0600); must not exist yet

cleanup, stats and train-dictionary need Redis but no running server; they wait up to 3 s for Redis.
Exit status: 0 on success, 1 on failure (bad configuration, Redis unreachable), 2 on a usage error.
Environment: REDIS_URL overrides the default Redis connection; LOG_LEVEL sets the log level (default info).`;

function fail(message: string, code = 2): never {
  process.stderr.write(`redisession: ${message}\n`);
  process.exit(code);
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port must be an integer from 0 to 65535`);
  return port;
}

async function serve(args: string[], env: ConfigEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, port: { type: "string" }, host: { type: "string" } },
    strict: true,
  });
  const logger = createLogger();
  let config = loadConfig({ path: values.config, env });

  // Nothing configured at all: use the local Redis, or start a private one so a fresh machine just works.
  const nothingConfigured = values.config === undefined && !env.REDISESSION_CONFIG && !env.REDIS_URL;
  let privateRedis: RedisServer | undefined;
  if (nothingConfigured) {
    privateRedis = await ensureLocalRedis(logger);
    if (privateRedis !== undefined) config = loadConfig({ env: { ...env, REDIS_URL: privateRedis.url } });
  }

  const server = await startServer({ config, logger, port: parsePort(values.port), host: values.host });
  const stop = async (signal: string) => {
    logger.info({ signal }, "signal received");
    await server.shutdown();
    await privateRedis?.stop();
    logger.flush();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "serve") return serve(rest, process.env);
  if (command === "cleanup") return cleanupCommand(rest, process.env);
  if (command === "stats") return statsCommand(rest, process.env);
  if (command === "train-dictionary") return trainDictionaryCommand(rest, process.env);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  fail(`unknown command "${command}"\n${USAGE}`);
}

// Success ends the process by itself (every connection closed, no timers left), so nothing calls exit here.
main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliError) fail(error.message, error.exitCode);
  if (error instanceof ConfigError || error instanceof NoRedisError) fail(error.message, 1);
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    fail(`${error.message}\n${USAGE}`);
  }
  process.stderr.write(
    `redisession: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
