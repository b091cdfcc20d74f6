/**
 * What every benchmark suite shares: private Redis and service processes, machine details, medians and the JSON
 * results under bench/results/. Suites print tables; nothing here decides pass or fail.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";

export const RESULTS_DIR = join(import.meta.dirname, "..", "results");

const PROJECT_DIR = join(import.meta.dirname, "..", "..");

let built = false;

/**
 * Compiles the service as `npm start` does (`npm run build`, into dist/), once per bench process: the service is
 * measured as users run it. (Run from the sources through tsx it pays for tsx's helpers, e.g. naming every
 * closure made per call, which took ~1% of its CPU under load.)
 */
function buildService(): void {
  if (built) return;
  progress("building the service (npm run build)");
  // Without NODE_OPTIONS: a suite may have set profiling options there for the service, not for the compiler.
  const { NODE_OPTIONS: _, ...env } = process.env;
  execFileSync("npm", ["run", "build", "--silent"], { cwd: PROJECT_DIR, stdio: "inherit", env });
  built = true;
}

/** Where the figures came from: printed with every table and saved with every result. */
export function machineInfo() {
  const cpu = cpus();
  let redis = "unknown";
  try {
    redis = execFileSync("redis-server", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    // Reported as unknown: the suites that need Redis fail on their own.
  }
  return {
    node: process.version,
    redis,
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** The Redis to benchmark against: `REDIS_URL` if set (left as it is), else a private server stopped at the end. */
export async function benchRedis(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const external = process.env.REDIS_URL;
  if (external) return { port: Number(new URL(external).port || 6379), url: external, stop: async () => {} };
  return startRedisServer(extraArgs);
}

/** A `redisession serve` child process on a free port. */
export interface ServiceProcess {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** How {@link startService} runs the service beyond its configuration. */
export interface ServiceProcessOptions {
  /**
   * The process's open-file limit (`ulimit -n`, soft and hard), as a host with that limit would give it.
   * Default: this process's.
   */
  readonly openFiles?: number;
  /** Called with each log record the service writes. Default: its output is drained unread once it listens. */
  readonly onLog?: (record: Readonly<Record<string, unknown>>) => void;
}

/**
 * Starts the service as users run it (`redisession serve`, compiled by {@link buildService}) with `configYaml`,
 * on `redisUrl`, and waits for it to listen. `env` is added to the child's environment (e.g. `NODE_OPTIONS`).
 */
export async function startService(
  redisUrl: string,
  configYaml: string,
  env: Readonly<Record<string, string>> = {},
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  buildService();
  const dir = join(RESULTS_DIR, ".tmp");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, `service-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(config, configYaml);
  const main = join(PROJECT_DIR, "dist", "src", "cli", "main.js");
  const command = [process.execPath, main, "serve", "--config", config, "--port", "0", "--host", "127.0.0.1"];
  // bash sets the limit, then execs node: the service keeps bash's process id.
  const [file, ...args] =
    options.openFiles === undefined
      ? command
      : ["bash", "-c", 'ulimit -n "$0" && exec "$@"', String(options.openFiles), ...command];
  const child = spawn(file as string, args, {
    env: { ...process.env, REDIS_URL: redisUrl, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let listening = false;
  const port = await new Promise<number | undefined>((resolve) => {
    lines.on("line", (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      // Every record, those before "redisession listening" too: "metrics listening" comes before it.
      options.onLog?.(record);
      if (!listening && record.msg === "redisession listening") {
        listening = true;
        resolve(record.port as number);
      }
    });
    lines.once("close", () => resolve(undefined));
  });
  // The service logs nothing per call, so info-level stdout stays small; unless asked for, it is drained unread.
  if (options.onLog === undefined) {
    lines.close();
    child.stdout?.resume();
  }
  // The service reads its configuration once, at start-up: by the time it listens (or has exited) it is done.
  rmSync(config, { force: true });
  if (port === undefined) throw new Error("the service exited before listening");
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Saves a suite's figures with the machine's details as bench/results/<suite>.json. */
export function writeResults(suite: string, figures: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify({ suite, machine: machineInfo(), figures }, null, 2)}\n`);
  return file;
}

/** One line of progress on stderr (tables go to stdout). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
