import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { failureOf, pauseRedis } from "../support/call-helpers.js";
import { healthCheck, healthWatch, rawClient } from "../support/raw-grpc.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

let redis: RedisServer;
let server: RunningServer;
let client: SessionClient;
let raw: ReturnType<typeof rawClient>;

beforeAll(async () => {
  redis = await startRedisServer();
  server = await startServer({
    config: serverConfig({ redisUrl: redis.url, server: { requestTimeoutMs: 400 } }),
    logger: testLogger(),
  });
  const target = `127.0.0.1:${server.port}`;
  client = createSessionClient(target, { defaultTimeoutMs: 3_000, retry: false });
  raw = rawClient(target);
});

afterAll(async () => {
  client.close();
  raw.close();
  await server.shutdown(0);
  await redis.stop();
});

describe("availability", () => {
  it("is SERVING while Redis answers, for the server and for SessionService; NOT_FOUND for other services", async () => {
    expect((await healthCheck(raw)).status).toBe(Serving.SERVING);
    expect((await healthCheck(raw, "redisession.v1.SessionService")).status).toBe(Serving.SERVING);
    await expect(healthCheck(raw, "no.such.Service")).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it("ends a call at its deadline when Redis hangs: DEADLINE_EXCEEDED, not a hang", async () => {
    const { session } = await client.createSession({});
    const resumed = await pauseRedis(redis.url, 1.5);
    const started = Date.now();
    expect((await failureOf(client.getSession({ key: session?.key ?? "" }, { timeoutMs: 300 }))).code).toBe(
      status.DEADLINE_EXCEEDED,
    );
    // The server's own request timeout (400 ms here) ends calls whose client set no deadline.
    expect((await failureOf(client.getSession({ key: session?.key ?? "" }, { timeoutMs: 0 }))).code).toBe(
      status.DEADLINE_EXCEEDED,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    await resumed();
  });

  it("goes NOT_SERVING when Redis stops, answers UNAVAILABLE within the deadline, and recovers", async () => {
    // The previous test's pause may have turned the status NOT_SERVING for a moment.
    await expect.poll(async () => (await healthCheck(raw)).status, { timeout: 5_000 }).toBe(Serving.SERVING);
    const watch = healthWatch(raw);
    await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);
    const { session } = await client.createSession({ data: { a: 1 } });
    await redis.stop();

    await expect
      .poll(async () => (await healthCheck(raw)).status, { timeout: 5_000 })
      .toBe(Serving.NOT_SERVING);
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.NOT_SERVING);
    for (const call of [
      () => client.getSession({ key: session?.key ?? "" }, { timeoutMs: 2_000 }),
      () => client.createSession({}, { timeoutMs: 2_000 }),
      () => client.deleteSession({ key: session?.key ?? "" }, { timeoutMs: 2_000 }),
    ]) {
      expect((await failureOf(call())).code).toBe(status.UNAVAILABLE);
    }

    redis = await startRedisServer([], redis.port);
    await expect.poll(async () => (await healthCheck(raw)).status, { timeout: 10_000 }).toBe(Serving.SERVING);
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.SERVING);
    expect((await client.createSession({ data: { back: true } })).session?.version).toBe(1);
    expect(watch.ended).toBe(false);
    watch.cancel();
  });
});
