import { createConnection } from "node:net";
import type { Logger } from "../server/logger.js";
import {
  INSTALL_HINT,
  isRedisServerInstalled,
  type RedisServer,
  startRedisServer,
} from "./redis-server-process.js";

/** Where a Redis is looked for when none is configured. */
export const LOCAL_REDIS = { host: "127.0.0.1", port: 6379 } as const;

/** Whether something answers a Redis PING at host:port within `timeoutMs`. */
export function answersPing(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    // "+PONG" from an open server, "-NOAUTH ..." from one that wants a password: either way, a Redis is there.
    socket.once("data", (data) => finish(data[0] === 0x2b || data[0] === 0x2d));
  });
}

/** Thrown when no Redis is configured, none answers locally, and none can be started. */
export class NoRedisError extends Error {
  override readonly name = "NoRedisError";
}

/**
 * For a start with nothing configured: the local Redis if one answers, else a private `redis-server` child
 * (which keeps nothing on disk) so that `npm start` works on a fresh machine.
 *
 * @returns the private server (the caller stops it on exit), or `undefined` when the local Redis answered.
 * @throws {NoRedisError} with a one-line message when neither is possible.
 */
export async function ensureLocalRedis(
  logger: Logger,
  local: { host: string; port: number } = LOCAL_REDIS,
): Promise<RedisServer | undefined> {
  if (await answersPing(local.host, local.port)) return undefined;
  if (!isRedisServerInstalled()) {
    throw new NoRedisError(
      `no Redis answers at ${local.host}:${local.port} and ${INSTALL_HINT}, or set REDIS_URL`,
    );
  }
  const server = await startRedisServer();
  logger.warn(
    { port: server.port },
    "no Redis configured and none answers locally: started a private redis-server (sessions are lost when it stops; set REDIS_URL for a real one)",
  );
  return server;
}
