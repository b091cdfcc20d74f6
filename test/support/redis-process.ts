import { createRedisClient } from "../../src/store/redis/redis-connection.js";

/**
 * Signals for a `redis-server` a test started itself (src/cli/redis-server-process.ts does not expose the child):
 * the process id comes from Redis' own `INFO server`, so only that server is ever signalled.
 */

/** The process id of the Redis at `url`, from `INFO server`. */
export async function redisPid(url: string): Promise<number> {
  const client = createRedisClient({ name: "pid", url, connectTimeoutMs: 2_000 });
  await client.connect();
  try {
    const info = String(await client.sendCommand(["INFO", "server"]));
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error("INFO server reported no process_id");
    return pid;
  } finally {
    client.destroy();
  }
}

/** Whether process `pid` still exists (it may be a zombie until its parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Freezes the Redis process `pid` (SIGSTOP: its socket stays open and the kernel still accepts bytes, but nothing
 * is answered) until the returned function resumes it (SIGCONT). Resuming twice is harmless; call it in `finally`.
 */
export function freeze(pid: number): () => void {
  process.kill(pid, "SIGSTOP");
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    if (isAlive(pid)) process.kill(pid, "SIGCONT");
  };
}

/**
 * Makes the Redis at `url` hold every write command (and every script) for `ms` milliseconds (`CLIENT PAUSE
 * WRITE`), or until {@link unpauseRedis}, while reads such as INFO still answer. Resolves once the pause is in
 * force.
 */
export async function pauseRedisWrites(url: string, ms: number): Promise<void> {
  const client = createRedisClient({ name: "pauser", url, connectTimeoutMs: 2_000 });
  await client.connect();
  try {
    await client.sendCommand(["CLIENT", "PAUSE", String(ms), "WRITE"]);
  } finally {
    client.destroy();
  }
}

/** Ends any `CLIENT PAUSE` of the Redis at `url` (`CLIENT UNPAUSE`, which a write pause lets through). */
export async function unpauseRedis(url: string): Promise<void> {
  const client = createRedisClient({ name: "unpauser", url, connectTimeoutMs: 2_000 });
  await client.connect();
  try {
    await client.sendCommand(["CLIENT", "UNPAUSE"]);
  } finally {
    client.destroy();
  }
}

/** `blocked_clients` of the Redis at `url`: connections waiting on a blocking command or a pause. */
export async function blockedClients(url: string): Promise<number> {
  const client = createRedisClient({ name: "info", url, connectTimeoutMs: 2_000 });
  await client.connect();
  try {
    const info = String(await client.sendCommand(["INFO", "clients"]));
    return Number(/^blocked_clients:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
  } finally {
    client.destroy();
  }
}
