import type { TestProject } from "vitest/node";
import {
  assertRedisServerInstalled,
  type RedisServer,
  startRedisServer,
} from "../../src/cli/redis-server-process.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** One private Redis URL per vitest worker, indexed by `VITEST_POOL_ID - 1`. */
    redisUrls: string[];
  }
}

let servers: RedisServer[] = [];

/**
 * Starts one private `redis-server` per vitest worker. Files in one worker run one after another, so a file owns
 * its worker's server while it runs and may flush it freely; files in other workers use other servers.
 */
export async function setup(project: TestProject): Promise<void> {
  assertRedisServerInstalled();
  const workers = Math.max(1, Number(project.config.maxWorkers) || 1);
  servers = await Promise.all(Array.from({ length: workers }, () => startRedisServer()));
  project.provide(
    "redisUrls",
    servers.map((server) => server.url),
  );
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}
