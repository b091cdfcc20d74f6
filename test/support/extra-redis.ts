import { once } from "node:events";
import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink } from "../../src/store/redis/redis-link.js";
import type { TestCertificates } from "./certificates.js";
import type { RedisFixture } from "./redis-fixture.js";

/**
 * `redis-server` processes started by a test file for itself, beside the worker's shared one (e.g. with a
 * password, or TLS only). The caller stops them in `afterAll`.
 */

/** A Redis that takes the password `password` for the default user (`requirepass`), and the given ACL users. */
export function startRedisWithPassword(
  password: string,
  users: readonly { name: string; password: string; rules?: string }[] = [],
): Promise<RedisServer> {
  const userArgs = users.flatMap((user) => [
    "--user",
    // redis-server joins the words after an option into one config line: `user <name> on ><password> <rules>`.
    user.name,
    "on",
    `>${user.password}`,
    ...(user.rules ?? "~* &* +@all").split(" "),
  ]);
  return startRedisServer(["--requirepass", password, ...userArgs]);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no TCP port available");
  return address.port;
}

/**
 * A Redis that speaks only TLS, with the test CA's server certificate; its `url` is `rediss://127.0.0.1:<port>`.
 * Clients must present a certificate signed by that CA (Redis' default `tls-auth-clients yes`).
 */
export async function startTlsRedis(certificates: TestCertificates): Promise<RedisServer> {
  const port = await freePort();
  // startRedisServer puts `--port <port>` first; the `--port 0` here comes later and wins, so that the port is
  // served by TLS alone and no plaintext listener exists.
  const server = await startRedisServer(
    [
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      certificates.server.certFile,
      "--tls-key-file",
      certificates.server.keyFile,
      "--tls-ca-cert-file",
      certificates.ca.certFile,
    ],
    port,
  );
  return { port, url: `rediss://127.0.0.1:${port}`, stop: () => server.stop() };
}

/**
 * A `redis-server` of the file's own, started with `extraArgs` (e.g. `--maxmemory-policy allkeys-lru`), as a
 * {@link RedisFixture}: for files that change the server's settings (maxmemory, its policy), which the worker's
 * shared Redis must keep. Emptied before every test; settings a test changes are its own to restore.
 */
export function usePrivateRedis(extraArgs: readonly string[] = []): RedisFixture {
  let server: RedisServer | undefined;
  let client: RedisClient | undefined;
  let link: RedisLink | undefined;
  const clients: RedisClient[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("usePrivateRedis: used before beforeAll");
    return value;
  };
  async function newClient(): Promise<RedisClient> {
    const made = createRedisClient({ name: "test", url: started(server).url, connectTimeoutMs: 2_000 });
    clients.push(made);
    await made.connect();
    return made;
  }
  beforeAll(async () => {
    server = await startRedisServer(extraArgs);
    client = await newClient();
    link = new RedisLink(client);
  });
  beforeEach(async () => {
    await fixture.raw("FLUSHALL");
  });
  afterAll(async () => {
    await Promise.all(clients.filter((made) => made.isOpen).map((made) => made.close()));
    await server?.stop();
  });
  const fixture: RedisFixture = {
    get url() {
      return started(server).url;
    },
    get client() {
      return started(client);
    },
    get link() {
      return started(link);
    },
    raw(...args) {
      return fixture.link.command(args.map((arg) => (typeof arg === "number" ? String(arg) : arg)));
    },
    newClient,
  };
  return fixture;
}
