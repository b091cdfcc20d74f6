import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/**
 * Private `redis-server` child processes: the test suite's Redis, and the one `redisession serve` starts when no
 * Redis is configured and none answers locally.
 */

/** A private `redis-server` child process. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

/** One line telling how to get `redis-server`. */
export const INSTALL_HINT =
  "redis-server is not on PATH: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)";

/** Whether `redis-server` can be run from PATH. */
export function isRedisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Throws a one-line message saying how to install Redis when `redis-server` is missing. */
export function assertRedisServerInstalled(): void {
  if (!isRedisServerInstalled()) throw new Error(INSTALL_HINT);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no TCP port available");
  return address.port;
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`redis-server did not start in time:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) finish();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited with ${code}:\n${output}`));
    function finish() {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      resolve();
    }
    function fail(error: Error) {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts a `redis-server` on a free loopback port that keeps nothing on disk. `extraArgs` are appended as
 * command-line config (e.g. `["--hash-max-listpack-value", "128"]`). The port is found free just before the
 * start; if another process takes it first, the start is retried on another port.
 */
export async function startRedisServer(
  extraArgs: readonly string[] = [],
  port?: number,
): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? (await freePort());
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(chosen),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        "/tmp",
        "--loglevel",
        "notice",
        ...extraArgs,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await waitForReady(child);
    } catch (error) {
      if (attempt >= 5 || port !== undefined) throw error;
      continue;
    }
    child.stdout?.resume();
    return {
      port: chosen,
      url: `redis://127.0.0.1:${chosen}`,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
}
