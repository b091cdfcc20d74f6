import { type Client, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createClient, createSessionClient, type SessionClient } from "../../src/client/index.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import type { LuaScript } from "../../src/store/redis/lua-script.js";
import { createRedisClient, type RedisClient } from "../../src/store/redis/redis-connection.js";
import { HASH_ROTATE } from "../../src/store/strategies/lua/hash-scripts.js";
import { STRING_DELETE_IF_UNCHANGED } from "../../src/store/strategies/lua/string-scripts.js";
import { failureOf } from "../support/call-helpers.js";
import { healthCheck, rawClient } from "../support/raw-grpc.js";
import { type RedisInterposer, startInterposer } from "../support/redis-interposer.js";
import { serverConfig, TEST_STORES, testLogger } from "../support/server-fixture.js";
import { expectDetails } from "../support/status-details.js";
import { storeConfig } from "../support/store-fixture.js";

/**
 * The reasons that need a Redis of this file's own, behind a relay that lets the test act between two of the
 * service's commands: a rotation that keeps losing to writers (CONCURRENT_MODIFICATION), a Redis that holds writes
 * (DEADLINE_EXCEEDED, from the server's request timeout) and a Redis that is gone (BACKEND_UNAVAILABLE).
 */

let redis: RedisServer;
let interposer: RedisInterposer;
let server: RunningServer;
let client: SessionClient;
let admin: ReturnType<typeof createClient<typeof SessionAdminService>>;
let raw: Client;
/** A connection straight to Redis, past the relay: the test's "other writer". */
let direct: RedisClient;

beforeAll(async () => {
  redis = await startRedisServer();
  interposer = await startInterposer(redis.port);
  server = await startServer({
    config: serverConfig({ redisUrl: interposer.url, server: { requestTimeoutMs: 400 } }),
    logger: testLogger(),
  });
  const target = `127.0.0.1:${server.port}`;
  client = createSessionClient(target, { defaultTimeoutMs: 5_000, retry: false });
  admin = createClient(SessionAdminService, target, { defaultTimeoutMs: 5_000, retry: false });
  raw = rawClient(target);
  direct = createRedisClient({ name: "other-writer", url: redis.url, connectTimeoutMs: 2_000 });
  await direct.connect();
});
afterAll(async () => {
  client.close();
  admin.close();
  raw.close();
  if (direct.isOpen) await direct.close();
  await server.shutdown(0);
  await interposer.close();
  await redis.stop();
});

/** Whether `command` runs `script` (by SHA1, or by source after a NOSCRIPT). */
function runs(command: readonly Buffer[], script: LuaScript): boolean {
  const [name, body] = command.map((arg) => arg.toString("latin1"));
  const verb = name?.toUpperCase();
  return (verb === "EVALSHA" && body === script.sha1) || (verb === "EVAL" && body === script.source);
}

describe.each([
  { store: "", strategy: "hash", check: HASH_ROTATE, config: { ...TEST_STORES.default, prefix: "default:" } },
  {
    store: "strings",
    strategy: "string",
    check: STRING_DELETE_IF_UNCHANGED,
    config: { ...TEST_STORES.strings, prefix: "strings:" },
  },
])("a rotation in the $strategy store that keeps losing to a writer", ({ store, check, config }) => {
  it("is ABORTED with CONCURRENT_MODIFICATION, and the session stays where it was with the writer's data", async () => {
    const key =
      (await client.createSession({ store, content: { case: "data", value: { n: 0 } } })).session?.key ?? "";
    const writer = createSessionRepository(storeConfig(config), direct);
    let writes = 0;
    // Just before each attempt's compare-and-move reaches Redis, another writer saves the session.
    interposer.setHook((command) =>
      runs(command, check) ? writer.save(key, { n: ++writes }).then(() => undefined) : undefined,
    );
    let error: Awaited<ReturnType<typeof failureOf>>;
    try {
      error = await failureOf(client.rotateSessionKey({ store, key }));
    } finally {
      interposer.setHook(undefined);
    }

    expectDetails(error, { code: status.ABORTED, reason: "CONCURRENT_MODIFICATION" });
    expect(writes).toBeGreaterThan(1);
    const session = (await client.getSession({ store, key })).session;
    expect(session?.content).toEqual({ case: "data", value: { n: writes } });
    expect(session?.version).toBe(1 + writes);
    // No copy under a fresh key was left behind.
    expect(Number(await direct.sendCommand(["DBSIZE"]))).toBe(1);
    await client.deleteSession({ store, key });
  });
});

describe("a Redis that holds writes past the server's request timeout", () => {
  it("is answered DEADLINE_EXCEEDED with its reason, by the server (the client set no deadline)", async () => {
    const key =
      (await client.createSession({ content: { case: "data", value: { n: 1 } } })).session?.key ?? "";
    // Until unpaused, not for a while: no clock decides whether Redis answers before the server gives up.
    await direct.sendCommand(["CLIENT", "PAUSE", "600000", "WRITE"]);
    try {
      const error = await failureOf(
        client.saveSession(
          { key, content: { case: "data", value: { n: 2 } }, condition: SaveCondition.MUST_EXIST },
          { timeoutMs: 0 },
        ),
      );
      expectDetails(error, { code: status.DEADLINE_EXCEEDED, reason: "DEADLINE_EXCEEDED" });
    } finally {
      await direct.sendCommand(["CLIENT", "UNPAUSE"]);
    }
  });
});

describe("a Redis that is gone", () => {
  it("is answered UNAVAILABLE with BACKEND_UNAVAILABLE, by SessionService and SessionAdminService", async () => {
    const key = (await client.createSession({})).session?.key ?? "";
    await direct.close();
    await redis.stop();
    await expect
      .poll(async () => (await healthCheck(raw)).status, { timeout: 10_000 })
      .toBe(Serving.NOT_SERVING);

    const expected = { code: status.UNAVAILABLE, reason: "BACKEND_UNAVAILABLE" } as const;
    expectDetails(await failureOf(client.getSession({ key }, { timeoutMs: 3_000 })), expected);
    expectDetails(await failureOf(client.createSession({}, { timeoutMs: 3_000 })), expected);
    expectDetails(await failureOf(admin.getStoreStats({}, { timeoutMs: 3_000 })), expected);
  });
});
