import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { describeListenFailure, ListenError } from "../../src/server/listen-error.js";
import { startServer } from "../../src/server/server.js";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { RedisLink } from "../../src/store/redis/redis-link.js";
import { captureLog } from "../support/log-capture.js";
import { accepts, freePort, occupyPort } from "../support/ports.js";
import { serverConfig } from "../support/server-fixture.js";

// A Redis of this file's own, so that the connections a failed start leaves open can be counted on it.
let redis: RedisServer;
let observer: RedisClient;

beforeAll(async () => {
  redis = await startRedisServer();
  observer = createRedisClient({ name: "observer", url: redis.url, connectTimeoutMs: 2_000 });
  await observer.connect();
});

afterAll(async () => {
  await observer?.close();
  await redis?.stop();
});

/** How many clients other than the observer are connected to the file's Redis. */
async function otherRedisClients(): Promise<number> {
  const list = String(await new RedisLink(observer).command(["CLIENT", "LIST"]));
  return list.trim().split("\n").length - 1;
}

/** Starts a server on the file's Redis with `server` settings, expecting it to fail; returns why, and its logs. */
async function failedStart(server: Record<string, unknown>) {
  const log = captureLog();
  const error = await startServer({
    config: serverConfig({ redisUrl: redis.url, server }),
    logger: log.logger,
  }).then(
    () => {
      throw new Error("the server started");
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ListenError);
  return { error: error as ListenError, messages: log.records().map((record) => record.msg) };
}

describe("a start whose listener cannot be bound", () => {
  it("fails naming server.port when the gRPC port is taken, and leaves no listener nor Redis connection", async () => {
    const taken = await occupyPort();
    const metricsPort = await freePort();
    try {
      const { error, messages } = await failedStart({
        port: taken.port,
        metrics: { host: "127.0.0.1", port: metricsPort },
      });
      expect(error.message).toBe(
        `cannot listen for gRPC on 127.0.0.1:${taken.port} (server.port): the port is already in use (another ` +
          "redisession, or another program)",
      );
      expect(error.settings).toEqual(["server.port"]);
      expect(error.code).toBe("EADDRINUSE");
      expect(messages).not.toContain("redisession listening");
      // The metrics endpoint it had bound first is closed again, and so are its Redis connections.
      expect(await accepts("127.0.0.1", metricsPort)).toBe(false);
      await expect.poll(otherRedisClients).toBe(0);
    } finally {
      await taken.close();
    }
  });

  it("fails naming server.metrics.port when the metrics port is taken, before any gRPC port is bound", async () => {
    const taken = await occupyPort();
    const grpcPort = await freePort();
    try {
      const { error, messages } = await failedStart({
        port: grpcPort,
        metrics: { host: "127.0.0.1", port: taken.port },
      });
      expect(error.message).toMatch(
        new RegExp(
          `^cannot listen for metrics on 127\\.0\\.0\\.1:${taken.port} \\(server\\.metrics\\.port\\): `,
        ),
      );
      expect(error.settings).toEqual(["server.metrics.port"]);
      // Nothing announces readiness before every listener is bound.
      expect(messages).not.toContain("redisession listening");
      expect(messages).not.toContain("metrics listening");
      expect(await accepts("127.0.0.1", grpcPort)).toBe(false);
      await expect.poll(otherRedisClients).toBe(0);
    } finally {
      await taken.close();
    }
  });

  it("names the host setting when the address is not this machine's", async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine, and no name to resolve.
    const grpc = await failedStart({ host: "192.0.2.1" });
    expect(grpc.error.message).toBe(
      "cannot listen for gRPC on 192.0.2.1:0 (server.host): no network interface of this machine has that address",
    );
    const metrics = await failedStart({ metrics: { host: "192.0.2.1", port: 0 } });
    expect(metrics.error.settings).toEqual(["server.metrics.host"]);
    expect(metrics.error.code).toBe("EADDRNOTAVAIL");
    await expect.poll(otherRedisClients).toBe(0);
  });
});

describe("ListenError", () => {
  const metrics = {
    name: "metrics",
    host: "::",
    port: 80,
    hostSetting: "server.metrics.host",
    portSetting: "server.metrics.port",
  };

  it("says why in words, and names the setting that can fix it", () => {
    const cases: [string | undefined, string[], string][] = [
      ["EADDRINUSE", ["server.metrics.port"], "the port is already in use"],
      ["EACCES", ["server.metrics.port"], "permission denied (ports below 1024 need privileges)"],
      ["EADDRNOTAVAIL", ["server.metrics.host"], "no network interface of this machine has that address"],
      ["ENOTFOUND", ["server.metrics.host"], "the host name does not resolve"],
      ["EAI_AGAIN", ["server.metrics.host"], "the host name does not resolve"],
      ["EPROTO", ["server.metrics.host", "server.metrics.port"], "EPROTO"],
      [undefined, ["server.metrics.host", "server.metrics.port"], "unknown error"],
    ];
    for (const [code, settings, reason] of cases) {
      const error = new ListenError(metrics, code);
      expect(error.settings, code).toEqual(settings);
      expect(error.reason.startsWith(reason), `${code}: ${error.reason}`).toBe(true);
      expect(error.address).toBe("[::]:80");
      expect(error.message).toBe(
        `cannot listen for metrics on [::]:80 (${settings.join(", ")}): ${error.reason}`,
      );
    }
  });

  it("names a setting's other names when given them", () => {
    const error = new ListenError({ ...metrics, port: 9464 }, "EACCES");
    expect(describeListenFailure(error, { "server.metrics.port": "--metrics-port" })).toBe(
      "cannot listen for metrics on [::]:9464 (server.metrics.port or --metrics-port): permission denied",
    );
  });
});
