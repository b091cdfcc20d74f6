import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { type Client, type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { startServer } from "../../src/server/server.js";
import { failureOf } from "../support/call-helpers.js";
import { writeConfigFile } from "../support/cli-runner.js";
import { healthCheck, healthWatch, rawClient } from "../support/raw-grpc.js";
import { workerRedisUrl } from "../support/redis-fixture.js";
import { names, type RedisInterposer, stallCommands, startInterposer } from "../support/redis-interposer.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

/** Undone after each test, last first. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A relay to this worker's Redis, closed after the test: the test decides when Redis answers. */
async function relayToWorkerRedis(): Promise<RedisInterposer> {
  const interposer = await startInterposer(Number(new URL(workerRedisUrl()).port));
  cleanups.push(() => interposer.close());
  return interposer;
}

/**
 * Holds Redis, makes a CreateSession whose data carries `marker`, and resolves once the server has sent its
 * command to Redis: the call is then in flight, whatever the machine's speed, until `release()`.
 */
async function callInFlight(client: SessionClient, interposer: RedisInterposer, marker: string) {
  const stalled = stallCommands(interposer, (command) => names(command, marker));
  cleanups.push(() => stalled.release());
  const call = client.createSession({ content: { case: "data", value: { marker } } });
  await stalled.sent(1);
  return { call, release: () => stalled.release() };
}

/** Resolves once the server at `raw`'s target refuses new calls (a health check fails UNAVAILABLE). */
async function refusingCalls(raw: Client): Promise<void> {
  const outcome = () =>
    healthCheck(raw).then(
      () => "served",
      (error: ServiceError) => status[error.code],
    );
  await expect.poll(outcome).toBe("UNAVAILABLE");
}

/** Long enough that no test waits it out: shutdown drains the call in flight as soon as Redis answers it. */
const GRACE_MS = 60_000;

describe("graceful shutdown", () => {
  it("finishes calls in flight, refuses new ones, and tells Watch streams NOT_SERVING", async () => {
    const interposer = await relayToWorkerRedis();
    // Health is checked at start only: the held Redis must not be what turns the status NOT_SERVING.
    const config = serverConfig({ redisUrl: interposer.url, server: { healthIntervalMs: 60_000 } });
    const server = await startServer({ config, logger: testLogger() });
    const target = `127.0.0.1:${server.port}`;
    const client = createSessionClient(target, { defaultTimeoutMs: 30_000, retry: false });
    const raw = rawClient(target);
    cleanups.push(
      () => client.close(),
      () => raw.close(),
      () => server.shutdown(0),
    );
    const watch = healthWatch(raw);
    await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);

    const inFlight = await callInFlight(client, interposer, "during-shutdown");
    const stopping = server.shutdown(GRACE_MS);
    await refusingCalls(raw);
    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
    inFlight.release();
    expect((await inFlight.call).session?.version).toBe(1);
    await stopping;
    expect(watch.statuses).toEqual([Serving.SERVING, Serving.NOT_SERVING]);
    expect(watch.ended).toBe(true);
  });
});

/** Starts `redisession serve` as a real process and waits for its "listening" log line. */
async function spawnServe(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  // Metrics on a free port too: the default 9464 may be taken on the machine running the tests.
  const config = writeConfigFile("server:\n  metrics:\n    host: 127.0.0.1\n    port: 0\n");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", "--config", config, "--port", "0", "--host", "127.0.0.1"],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const record = JSON.parse(line) as { msg?: string; port?: number };
    if (record.msg === "redisession listening" && record.port !== undefined) {
      lines.removeAllListeners();
      child.stdout?.resume();
      return { child, port: record.port };
    }
  }
  throw new Error("redisession serve exited before listening");
}

describe("redisession serve", () => {
  it("on SIGTERM completes the call in flight, refuses new calls and exits 0", async () => {
    const interposer = await relayToWorkerRedis();
    const { child, port } = await spawnServe({ REDIS_URL: interposer.url });
    cleanups.push(() => child.kill("SIGKILL"));
    const target = `127.0.0.1:${port}`;
    const client = createSessionClient(target, { defaultTimeoutMs: 30_000, retry: false });
    const raw = rawClient(target);
    cleanups.push(
      () => client.close(),
      () => raw.close(),
    );
    expect((await client.createSession({})).session?.version).toBe(1);

    const inFlight = await callInFlight(client, interposer, "in-flight");
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await refusingCalls(raw);
    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
    inFlight.release();
    expect((await inFlight.call).session?.version).toBe(1);
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
