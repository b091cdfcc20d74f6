import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { createSessionClient } from "../../src/client/index.js";
import { startServer } from "../../src/server/server.js";
import { healthCheck, healthWatch, rawClient } from "../support/raw-grpc.js";
import { serverConfig, testLogger, useServer } from "../support/server-fixture.js";
import { delta, scrape } from "./prometheus-text.js";

const served = useServer();
const base = () => `http://127.0.0.1:${served.server.metricsPort}`;

describe("the metrics endpoint", () => {
  it("serves GET and HEAD /metrics, 404 for any other path, 405 for any other method", async () => {
    const metrics = await fetch(`${base()}/metrics?name=ignored`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await metrics.text()).toContain("# TYPE redisession_rpc_calls_total counter");

    const head = await fetch(`${base()}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");

    for (const path of ["/other", "/", "/metrics/", "/metricsx"]) {
      const response = await fetch(`${base()}${path}`);
      expect(response.status, path).toBe(404);
      await response.text();
    }
    const post = await fetch(`${base()}/metrics`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    await post.text();
  });

  it("counts every service's calls: health checks, and a Watch stream the client cancelled", async () => {
    const before = await scrape(served.server.metricsPort);
    const raw = rawClient(`127.0.0.1:${served.server.port}`);
    try {
      await healthCheck(raw);
      await expect(healthCheck(raw, "no.such.Service")).rejects.toMatchObject({ code: status.NOT_FOUND });
      const watch = healthWatch(raw);
      // The stream is open once it has said anything: how many statuses depends on how often the health check
      // (every 100 ms here) found Redis slow, which a busy machine makes it.
      await expect.poll(() => watch.statuses.length).toBeGreaterThanOrEqual(1);
      watch.cancel();
      const labels = { rpc: "grpc.health.v1.Health/Watch", code: "CANCELLED" };
      await expect
        .poll(async () =>
          delta(before, await scrape(served.server.metricsPort), "redisession_rpc_calls_total", labels),
        )
        .toBe(1);
    } finally {
      raw.close();
    }
    const after = await scrape(served.server.metricsPort);
    const check = (code: string) =>
      delta(before, after, "redisession_rpc_calls_total", { rpc: "grpc.health.v1.Health/Check", code });
    expect(check("OK")).toBe(1);
    expect(check("NOT_FOUND")).toBe(1);
    const watchCount = { rpc: "grpc.health.v1.Health/Watch", code: "CANCELLED" };
    expect(delta(before, after, "redisession_rpc_duration_seconds_count", watchCount)).toBe(1);
  });

  it("is not started when disabled", async () => {
    const server = await startServer({
      config: serverConfig({ server: { metrics: { enabled: false } } }),
      logger: testLogger(),
    });
    try {
      expect(server.metricsPort).toBeUndefined();
      expect(server.metrics).toBeUndefined();
      const client = createSessionClient(`127.0.0.1:${server.port}`, { defaultTimeoutMs: 5_000 });
      expect((await client.createSession({})).session?.version).toBe(1);
      client.close();
    } finally {
      await server.shutdown(0);
    }
  });

  it("counts each server's calls in its own registry, and closes with its server", async () => {
    const before = await scrape(served.server.metricsPort);
    const other = await startServer({ config: serverConfig(), logger: testLogger() });
    const otherPort = other.metricsPort;
    expect(otherPort).toBeTypeOf("number");
    expect(otherPort).not.toBe(served.server.metricsPort);
    const client = createSessionClient(`127.0.0.1:${other.port}`, { defaultTimeoutMs: 5_000 });
    try {
      await client.createSession({});
      const labels = { rpc: "redisession.v1.SessionService/CreateSession", code: "OK" };
      expect((await scrape(otherPort)).value("redisession_rpc_calls_total", labels)).toBe(1);
      expect((await scrape(served.server.metricsPort)).value("redisession_rpc_calls_total", labels)).toBe(
        before.value("redisession_rpc_calls_total", labels),
      );
      expect(
        delta(before, await scrape(otherPort), "redisession_sessions_created_total", { store: "default" }),
      ).toBe(1);
    } finally {
      client.close();
      await other.shutdown(0);
    }
    await expect(fetch(`http://127.0.0.1:${otherPort}/metrics`)).rejects.toThrow();
  });

  it("fails the start when its port is taken", async () => {
    const taken = served.server.metricsPort;
    await expect(
      startServer({
        config: serverConfig({ server: { metrics: { host: "127.0.0.1", port: taken } } }),
        logger: testLogger(),
      }),
    ).rejects.toMatchObject({ name: "ListenError", code: "EADDRINUSE", settings: ["server.metrics.port"] });
    expect((await fetch(`${base()}/metrics`)).status).toBe(200);
  });
});
