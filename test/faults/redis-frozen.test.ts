import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { type CallOutcome, codesOutside, countCodes, outcomeOf } from "../support/call-outcomes.js";
import { healthCheck, rawClient } from "../support/raw-grpc.js";
import { freeze, redisPid } from "../support/redis-process.js";
import { type ServeProcess, spawnServe } from "../support/serve-process.js";

/** The service's bound on commands waiting on one Redis connection (CommandLimits.maxPendingCommands default). */
const MAX_PENDING_COMMANDS = 10_000;
/** Calls sent to the frozen Redis beyond that bound. */
const EXTRA_CALLS = 1_000;
/** Separate HTTP/2 connections for the flood, so no single one carries 11,000 open streams. */
const CHANNELS = 11;
/**
 * The flood's deadline, and the server's request timeout: longer than any run of this test, however slow the
 * machine, so that while Redis is frozen nothing but the bound can end a flood call.
 */
const FLOOD_DEADLINE_MS = 120_000;

// A Redis of this file's own: it is frozen, which the worker's shared one must never be.
let redis: RedisServer;
let server: ServeProcess;
let client: SessionClient;
let raw: ReturnType<typeof rawClient>;
let target: string;

beforeAll(async () => {
  redis = await startRedisServer();
  // The service runs in a process of its own, as in production: it has a core to itself while this one floods it.
  server = await spawnServe(
    [
      `redis: { default: { url: "${redis.url}", connectTimeoutMs: 500 } }`,
      "stores: { default: { bucketBits: 8 }, strings: { strategy: string } }",
      // Each flood connection carries ~1,000 calls: all of them must reach the service, past the default 256.
      `server: { healthIntervalMs: 100, requestTimeoutMs: ${FLOOD_DEADLINE_MS}, maxConcurrentStreams: 2000, metrics: { host: 127.0.0.1, port: 0 } }`,
    ].join("\n"),
  );
  target = `127.0.0.1:${server.port}`;
  client = createSessionClient(target, { defaultTimeoutMs: 5_000, retry: false });
  raw = rawClient(target);
});

afterAll(async () => {
  client.close();
  raw.close();
  await server.kill();
  await redis.stop();
});

const serving = async () => (await healthCheck(raw)).status;

/**
 * Sends `MAX_PENDING_COMMANDS + EXTRA_CALLS` GetSession calls of `key` over `clients` while Redis is frozen, waits
 * for the first `EXTRA_CALLS` answers, then `thaw`s Redis and waits for the rest. Each call's deadline
 * (`FLOOD_DEADLINE_MS`) outlasts the flood, so while Redis is frozen nothing but the bound can end a call.
 */
async function floodFrozen(clients: readonly SessionClient[], key: string, thaw: () => void) {
  const calls: Promise<CallOutcome>[] = [];
  const settled: CallOutcome[] = [];
  for (let i = 0; i < MAX_PENDING_COMMANDS + EXTRA_CALLS; i++) {
    const client = clients[i % clients.length] as SessionClient;
    const call = outcomeOf(() => client.getSession({ key }, { timeoutMs: FLOOD_DEADLINE_MS }));
    void call.then((outcome) => settled.push(outcome));
    calls.push(call);
  }
  await expect
    .poll(() => settled.length, { timeout: FLOOD_DEADLINE_MS / 2 })
    .toBeGreaterThanOrEqual(EXTRA_CALLS);
  const whileFrozen = countCodes(settled);
  thaw();
  return { whileFrozen, all: countCodes(await Promise.all(calls)) };
}

describe("Redis frozen (SIGSTOP)", () => {
  it("fails calls within their deadline, refuses calls beyond maxPendingCommands at once, and recovers after SIGCONT", async () => {
    await expect.poll(serving).toBe(Serving.SERVING);
    const key =
      (await client.createSession({ content: { case: "data", value: { kept: true } } })).session?.key ?? "";
    // The writes below are carried out once Redis wakes up: they get a session of their own.
    const written = (await client.createSession({})).session?.key ?? "";
    const pid = await redisPid(redis.url);
    // A local subchannel pool gives each client its own connection.
    const channelOptions = { "grpc.use_local_subchannel_pool": 1 };
    const floodClients = Array.from({ length: CHANNELS }, () =>
      createSessionClient(target, { retry: false, channelOptions }),
    );
    const thaw = freeze(pid);
    let flood: Awaited<ReturnType<typeof floodFrozen>>;
    try {
      // Every RPC fails by its deadline: the connection is up, so the commands wait for an answer that never comes.
      const timeoutMs = 500;
      const hung = countCodes(
        await Promise.all(
          [
            () => client.getSession({ key }, { timeoutMs }),
            () => client.createSession({}, { timeoutMs }),
            () => client.saveSession({ key: written, condition: SaveCondition.MUST_EXIST }, { timeoutMs }),
            () => client.touchSession({ key: written }, { timeoutMs }),
            () => client.deleteSession({ store: "strings", key: written }, { timeoutMs }),
            () => client.rotateSessionKey({ key: written }, { timeoutMs }),
            () => client.batchGetSessions({ keys: [key] }, { timeoutMs }),
          ].map(outcomeOf),
        ),
      );
      expect(
        codesOutside(hung, [status.DEADLINE_EXCEEDED, status.UNAVAILABLE]),
        JSON.stringify(hung),
      ).toEqual([]);
      await expect.poll(serving).toBe(Serving.NOT_SERVING);

      flood = await floodFrozen(floodClients, key, thaw);
    } finally {
      thaw();
      for (const floodClient of floodClients) floodClient.close();
    }
    // While Redis was frozen, every call that came back was refused at once (UNAVAILABLE), not timed out.
    expect(codesOutside(flood.whileFrozen, [status.UNAVAILABLE]), JSON.stringify(flood.whileFrozen)).toEqual(
      [],
    );
    // Once it thawed, the calls that had waited were answered (or, on a machine slow enough, reached their
    // deadline), and no more of them had been kept waiting than the bound.
    const { all } = flood;
    expect(
      codesOutside(all, [status.OK, status.DEADLINE_EXCEEDED, status.UNAVAILABLE]),
      JSON.stringify(all),
    ).toEqual([]);
    expect(all.UNAVAILABLE ?? 0, JSON.stringify(all)).toBeGreaterThanOrEqual(EXTRA_CALLS);
    expect((all.OK ?? 0) + (all.DEADLINE_EXCEEDED ?? 0), JSON.stringify(all)).toBeLessThanOrEqual(
      MAX_PENDING_COMMANDS,
    );

    // Recovered: calls succeed again and the service says it serves.
    await expect.poll(async () => (await outcomeOf(() => client.getSession({ key }))).code).toBe(status.OK);
    expect((await client.getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { kept: true },
    });
    expect(
      (await client.createSession({ content: { case: "data", value: { after: "thaw" } } })).session?.version,
    ).toBe(1);
    await expect.poll(serving).toBe(Serving.SERVING);
  });
});
