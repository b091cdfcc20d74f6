import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink, type RedisReply } from "../../src/store/redis/redis-link.js";

/** This worker's private Redis (see global-setup.ts). */
export function workerRedisUrl(): string {
  const urls = inject("redisUrls");
  const index = Math.max(0, Number(process.env.VITEST_POOL_ID ?? "1") - 1) % urls.length;
  const url = urls[index];
  if (url === undefined) throw new Error("global setup provided no Redis");
  return url;
}

/** A test file's handle on its worker's Redis. */
export interface RedisFixture {
  readonly url: string;
  /** A connected client, made as production makes them. */
  readonly client: RedisClient;
  /** The store's own link to Redis, as production code uses it. */
  readonly link: RedisLink;
  /** Sends a raw command (binary replies), to arrange or inspect Redis state behind the store's back. */
  raw(...args: (string | Buffer | number)[]): Promise<RedisReply>;
  /** Another connected client, closed after the file. */
  newClient(): Promise<RedisClient>;
}

/**
 * Connects the file to its worker's private Redis and empties it before every test. Call once at the top of a
 * test file.
 */
export function useRedis(): RedisFixture {
  const clients: RedisClient[] = [];
  let client: RedisClient | undefined;
  let link: RedisLink | undefined;
  const url = workerRedisUrl();

  async function newClient(): Promise<RedisClient> {
    const client = createRedisClient({ name: "test", url, connectTimeoutMs: 2_000 });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    client = await newClient();
    link = new RedisLink(client);
  });
  beforeEach(async () => {
    await fixture.raw("FLUSHALL");
  });
  afterAll(async () => {
    // A test may have closed its own client already (e.g. after MONITOR).
    await Promise.all(clients.filter((client) => client.isOpen).map((client) => client.close()));
  });

  const fixture: RedisFixture = {
    url,
    get client() {
      if (client === undefined) throw new Error("useRedis: used before beforeAll");
      return client;
    },
    get link() {
      if (link === undefined) throw new Error("useRedis: used before beforeAll");
      return link;
    },
    raw(...args) {
      return fixture.link.command(args.map((arg) => (typeof arg === "number" ? String(arg) : arg)));
    },
    newClient,
  };
  return fixture;
}
