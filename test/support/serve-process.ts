import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { writeConfigFile } from "./cli-runner.js";

/** A `redisession serve` process started from the sources, as an operator would run it. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The gRPC port it listens on, from its "redisession listening" log line. */
  readonly port: number;
  /** The metrics endpoint's port, from the same line; `undefined` when it serves no metrics. */
  readonly metricsPort: number | undefined;
  /** Every JSON log record it has written to stdout so far (it keeps being filled until the process exits). */
  readonly logs: Record<string, unknown>[];
  /** Settles when the process exits: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it (SIGKILL) unless it has exited already, and waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Starts `redisession serve --config <file with configYaml> --port 0 --host 127.0.0.1 <args>` with `env` added, and
 * waits for its "redisession listening" line; without `configYaml`, no `--config` at all (the configuration then
 * comes from `env`, or is the default). The configuration (or `args`) should set the metrics port to 0 or turn
 * metrics off: the default 9464 may be taken on the machine running the tests.
 */
export async function spawnServe(
  configYaml: string | undefined,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<ServeProcess> {
  const config = configYaml === undefined ? [] : ["--config", writeConfigFile(configYaml)];
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", ...config, "--port", "0", "--host", "127.0.0.1", ...args],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const logs: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.on("line", (line) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        record = { msg: line };
      }
      logs.push(record);
      if (record.msg === "redisession listening" && typeof record.port === "number") resolve(record);
    });
    lines.on("close", () => reject(new Error("redisession serve exited before listening")));
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  try {
    const ready = await listening;
    const metricsPort = typeof ready.metricsPort === "number" ? ready.metricsPort : undefined;
    return { child, port: ready.port as number, metricsPort, logs, exited, kill };
  } catch (error) {
    await kill();
    throw error;
  }
}
