import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import type { RedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/load-config.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { createRedisClient } from "../../src/store/redis/redis-connection.js";
import { issueLines } from "../config/config-test-helpers.js";
import { failureOf } from "../support/call-helpers.js";
import { makeCertificates, type TestCertificates } from "../support/certificates.js";
import { startRedisWithPassword, startTlsRedis } from "../support/extra-redis.js";
import { captureLog } from "../support/log-capture.js";
import { TEST_STORES } from "../support/server-fixture.js";

const PASSWORD = "pw-7c0b-default";
const APP_PASSWORD = "pw-91ae-app";
let certs: TestCertificates;
let passwordRedis: RedisServer;
let tlsRedis: RedisServer;
const servers: RunningServer[] = [];
const clients: SessionClient[] = [];

beforeAll(async () => {
  certs = makeCertificates();
  [passwordRedis, tlsRedis] = await Promise.all([
    startRedisWithPassword(PASSWORD, [{ name: "app", password: APP_PASSWORD }]),
    startTlsRedis(certs),
  ]);
});
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((server) => server.shutdown(0)));
  await Promise.all([passwordRedis?.stop(), tlsRedis?.stop()]);
  certs?.remove();
});

/** A configuration whose one connection is `connection`, with the server tests' stores. */
const configWith = (connection: Record<string, unknown>) =>
  parseConfig({
    redis: { default: { connectTimeoutMs: 500, ...connection } },
    stores: TEST_STORES,
    server: { host: "127.0.0.1", port: 0, healthIntervalMs: 100, metrics: { enabled: false } },
  });

/** A server on `connection`, the shipped client, and the server's log. */
async function serveOn(connection: Record<string, unknown>) {
  const log = captureLog();
  const server = await startServer({
    config: configWith(connection),
    logger: log.logger,
    redisWaitMs: 1_000,
  });
  servers.push(server);
  const client = createSessionClient(`127.0.0.1:${server.port}`, { retry: false, defaultTimeoutMs: 3_000 });
  clients.push(client);
  return { server, client, log };
}

const hostPort = (server: RedisServer) => `127.0.0.1:${server.port}`;

/** The key count of the password-protected Redis, read with the default user. */
async function keysInPasswordRedis(): Promise<number> {
  const admin = createRedisClient({
    name: "check",
    url: `redis://:${PASSWORD}@${hostPort(passwordRedis)}`,
    connectTimeoutMs: 500,
  });
  await admin.connect();
  try {
    return Number(await admin.sendCommand(["DBSIZE"]));
  } finally {
    admin.destroy();
  }
}

describe("a Redis with a password (requirepass) and an ACL user", () => {
  it("serves with the right password in the URL", async () => {
    const before = await keysInPasswordRedis();
    const { client } = await serveOn({ url: `redis://:${PASSWORD}@${hostPort(passwordRedis)}` });
    const key =
      (await client.createSession({ content: { case: "data", value: { auth: "password" } } })).session?.key ??
      "";
    expect((await client.getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { auth: "password" },
    });
    expect(await keysInPasswordRedis()).toBe(before + 1);
  });

  it("serves as an ACL user (redis://user:password@host)", async () => {
    const { client } = await serveOn({ url: `redis://app:${APP_PASSWORD}@${hostPort(passwordRedis)}` });
    const key =
      (await client.createSession({ content: { case: "data", value: { auth: "acl" } } })).session?.key ?? "";
    expect((await client.getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { auth: "acl" },
    });
  });

  it("answers UNAVAILABLE with a wrong password, and logs why without the password", async () => {
    const wrong = "pw-wrong-5d21";
    const { server, client, log } = await serveOn({ url: `redis://app:${wrong}@${hostPort(passwordRedis)}` });
    const failure = await failureOf(client.createSession({}));
    expect(failure.code).toBe(status.UNAVAILABLE);
    expect(failure.details).toBe("Redis is unavailable");
    expect(server.health.status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    const connectionErrors = log.records().filter((record) => record.msg === "Redis connection error");
    expect(connectionErrors[0]?.error).toMatch(/^WRONGPASS/);
    for (const secret of [wrong, APP_PASSWORD, PASSWORD]) expect(log.text()).not.toContain(secret);
  });

  it("answers UNAVAILABLE naming the credentials when the URL carries no password, not INTERNAL", async () => {
    // Without credentials node-redis connects without AUTH, so the refusal comes with the first command.
    const { client } = await serveOn({ url: `redis://${hostPort(passwordRedis)}` });
    // A short command meets NOAUTH; a long one (a save's script call) is cut short as "unauthenticated".
    const read = await failureOf(client.getSession({ key: "0".repeat(32) }));
    expect([read.code, read.details]).toEqual([
      status.UNAVAILABLE,
      "Redis refused the service's credentials (NOAUTH)",
    ]);
    const write = await failureOf(
      client.createSession({ content: { case: "data", value: { big: "x".repeat(100) } } }),
    );
    expect(write.code).toBe(status.UNAVAILABLE);
    expect(write.details).toMatch(/^Redis refused the service's credentials \((NOAUTH|unauthenticated)\)$/);
  });
});

describe("a Redis that speaks TLS only (rediss://)", () => {
  const clientPair = () => ({ certFile: certs.client.certFile, keyFile: certs.client.keyFile });

  it("serves with the test CA and a client certificate", async () => {
    const { client } = await serveOn({
      url: tlsRedis.url,
      tls: { caFile: certs.ca.certFile, ...clientPair() },
    });
    const key =
      (await client.createSession({ content: { case: "data", value: { over: "rediss" } } })).session?.key ??
      "";
    expect((await client.getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { over: "rediss" },
    });
  });

  it("fails with a CA that did not sign the server's certificate: UNAVAILABLE, and the log says why", async () => {
    const { client, log } = await serveOn({
      url: tlsRedis.url,
      tls: { caFile: certs.otherCa.certFile, ...clientPair() },
    });
    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
    const connectionErrors = log.records().filter((record) => record.msg === "Redis connection error");
    expect(String(connectionErrors[0]?.error)).toMatch(/certificate/i);
  });

  it("fails without a client certificate (Redis' tls-auth-clients)", async () => {
    const { client } = await serveOn({ url: tlsRedis.url, tls: { caFile: certs.ca.certFile } });
    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
  });

  it("refuses tls settings it cannot use, naming the setting", async () => {
    expect(
      issueLines(() => configWith({ url: "redis://127.0.0.1:6379", tls: { caFile: "ca.pem" } })),
    ).toEqual(["redis.default.tls: needs a rediss:// url: tls settings apply only to TLS connections"]);
    expect(issueLines(() => configWith({ url: tlsRedis.url, tls: { certFile: "client.pem" } }))).toEqual([
      "redis.default.tls.keyFile: certFile and keyFile go together (the client certificate and its key)",
    ]);
    const missing = await startServer({
      config: configWith({ url: tlsRedis.url, tls: { caFile: `${certs.dir}/missing.pem` } }),
      logger: captureLog().logger,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).issues).toEqual([
      { path: "redis.default.tls.caFile", message: `cannot read ${certs.dir}/missing.pem (ENOENT)` },
    ]);
  });
});
