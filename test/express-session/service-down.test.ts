import { Code, createSessionClient, type SessionClient } from "@redisession/client";
import { RedisessionStore } from "@redisession/express-session";
import { afterAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { failureOf } from "../support/call-helpers.js";
import { usePrivateServer } from "../support/private-server-fixture.js";
import { healthCheck } from "../support/raw-grpc.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";
import { CookieBrowser } from "./cookie-browser.js";
import { startSessionApp } from "./session-app.js";

// A Redis and a server of this file's own: both are stopped and started again.
const served = usePrivateServer();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function appOn(client: SessionClient) {
  const app = await startSessionApp(new RedisessionStore({ client }));
  cleanups.push(() => app.close());
  return new CookieBrowser(app.origin);
}

describe("the service down", () => {
  it("Redis stopped: UNAVAILABLE reaches express as 503, and the next request after it is back works", async () => {
    const browser = await appOn(served.client);
    expect((await browser.request("POST", "/login/ada")).status).toBe(200);

    await served.redis.stop();
    await expect
      .poll(async () => (await healthCheck(served.raw)).status, { timeout: 10_000 })
      .toBe(Serving.NOT_SERVING);
    expect(await browser.request("GET", "/me")).toMatchObject({
      status: 503,
      body: { code: Code.UNAVAILABLE, reason: "BACKEND_UNAVAILABLE" },
    });

    await served.restartRedis();
    await expect
      .poll(async () => (await healthCheck(served.raw)).status, { timeout: 10_000 })
      .toBe(Serving.SERVING);
    // The new Redis is empty: the old cookie finds no session, which is no error; a new login works.
    expect(await browser.request("GET", "/me")).toMatchObject({ status: 200, body: { user: null } });
    expect((await browser.request("POST", "/login/ada")).status).toBe(200);
    expect((await browser.request("GET", "/me")).body).toEqual({ user: "ada", count: 0 });
  });

  it("the server stopped: 503, and once it listens again the next request works", async () => {
    const config = serverConfig({ redisUrl: served.redis.url });
    let server: RunningServer = await startServer({ config, logger: testLogger() });
    const port = server.port;
    const client = createSessionClient(`127.0.0.1:${port}`, { defaultTimeoutMs: 2_000, retry: false });
    cleanups.push(() => client.close());
    cleanups.push(() => server.shutdown(0));
    const browser = await appOn(client);
    expect((await browser.request("POST", "/login/grace")).status).toBe(200);

    await server.shutdown(0);
    expect(await browser.request("GET", "/me")).toMatchObject({
      status: 503,
      body: { code: Code.UNAVAILABLE },
    });

    server = await startServer({
      config: serverConfig({ redisUrl: served.redis.url, server: { port } }),
      logger: testLogger(),
    });
    // Back, as this client sees it: its channel has reconnected when a call gets the service's own answer.
    await expect
      .poll(async () => (await failureOf(client.getSession({ key: "0".repeat(32) }))).code, {
        timeout: 20_000,
      })
      .toBe(Code.NOT_FOUND);
    expect(await browser.request("GET", "/me")).toMatchObject({ status: 200, body: { user: "grace" } });
  });
});
