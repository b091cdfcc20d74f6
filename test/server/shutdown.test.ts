import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { createSessionClient } from "../../src/client/index.js";
import { startServer } from "../../src/server/server.js";
import { failureOf, pauseRedis } from "../support/call-helpers.js";
import { writeConfigFile } from "../support/cli-runner.js";
import { healthWatch, rawClient } from "../support/raw-grpc.js";
import { workerRedisUrl } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("graceful shutdown", () => {
  it("finishes calls in flight, refuses new ones, and tells Watch streams NOT_SERVING", async () => {
    const server = await startServer({ config: serverConfig(), logger: testLogger() });
    const target = `127.0.0.1:${server.port}`;
    const client = createSessionClient(target, { defaultTimeoutMs: 5_000, retry: false });
    const raw = rawClient(target);
    cleanups.push(
      () => client.close(),
      () => raw.close(),
      () => server.shutdown(0),
    );
    const watch = healthWatch(raw);
    await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);

    const slept = await pauseRedis(workerRedisUrl(), 0.6);
    const inFlight = client.createSession({ content: { case: "data", value: { during: "shutdown" } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = server.shutdown(5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
    expect((await inFlight).session?.version).toBe(1);
    await stopping;
    await slept();
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
    const { child, port } = await spawnServe({ REDIS_URL: workerRedisUrl() });
    cleanups.push(() => child.kill("SIGKILL"));
    const client = createSessionClient(`127.0.0.1:${port}`, { defaultTimeoutMs: 5_000, retry: false });
    cleanups.push(() => client.close());
    expect((await client.createSession({})).session?.version).toBe(1);

    const slept = await pauseRedis(workerRedisUrl(), 0.6);
    const inFlight = client.createSession({ content: { case: "data", value: { in: "flight" } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await failureOf(client.createSession({}))).code).toBe(status.UNAVAILABLE);
    expect((await inFlight).session?.version).toBe(1);
    const [code] = await exited;
    expect(code).toBe(0);
    await slept();
  });
});
