import { describe, expect, it } from "vitest";
import { useRedis } from "../support/redis-fixture.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { makeStore, readRaw } from "../support/store-fixture.js";

const redis = useRedis();
const served = useServer({ server: { sweep: { intervalMs: 100, bucketsPerRun: 64, leaseMs: 5_000 } } });

describe("the in-server sweeper", () => {
  it("removes expired sessions of hash stores in the background, leaving live ones", async () => {
    const past = makeStore(redis, { ...TEST_STORES.default, prefix: "default:" });
    past.clock.advanceSeconds(-3600);
    const expired: string[] = [];
    for (let i = 0; i < 20; i++) expired.push((await past.repository.create({ old: i }, { ttl: 60 })).key);
    const live =
      (await served.client.createSession({ content: { case: "data", value: { fresh: true } } })).session
        ?.key ?? "";

    // 256 buckets at 64 per run: every bucket is reached within four runs.
    await expect
      .poll(
        async () =>
          (await Promise.all(expired.map((key) => readRaw(redis, past.config, key)))).filter(Boolean).length,
        {
          timeout: 10_000,
          interval: 100,
        },
      )
      .toBe(0);
    expect((await served.client.getSession({ key: live })).session?.content).toEqual({
      case: "data",
      value: { fresh: true },
    });
    const swept = (await fetch(`http://127.0.0.1:${served.server.metricsPort}/metrics`).then((r) => r.text()))
      .split("\n")
      .find((line) => line.startsWith('redisession_sessions_swept_total{store="default"}'));
    expect(Number(swept?.split(" ").at(-1))).toBe(20);
  });
});
