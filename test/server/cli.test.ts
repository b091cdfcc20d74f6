import { describe, expect, it } from "vitest";
import { answersPing, ensureLocalRedis, NoRedisError } from "../../src/cli/private-redis.js";
import { runCli, writeConfigFile } from "../support/cli-runner.js";
import { testLogger } from "../support/server-fixture.js";

describe("redisession CLI", () => {
  it("refuses a bad configuration with a message naming the field, and a non-zero exit", async () => {
    const file = writeConfigFile("stores:\n  default:\n    bucketBits: 99\n");
    const result = await runCli(["serve", "--config", file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("stores.default.bucketBits");
  });

  it("starts a private redis-server when no Redis is configured and none answers", async () => {
    const nothingThere = { host: "127.0.0.1", port: 1 };
    expect(await answersPing(nothingThere.host, nothingThere.port)).toBe(false);
    const server = await ensureLocalRedis(testLogger(), nothingThere);
    expect(server).toBeDefined();
    try {
      expect(await answersPing("127.0.0.1", server?.port ?? 0)).toBe(true);
    } finally {
      await server?.stop();
    }
  });

  it("says in one line how to get Redis when none answers and redis-server is not installed", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const attempt = ensureLocalRedis(testLogger(), { host: "127.0.0.1", port: 1 });
      await expect(attempt).rejects.toThrow(NoRedisError);
      await expect(attempt).rejects.toThrow(
        /^no Redis answers at 127\.0\.0\.1:1 and redis-server is not on PATH: install it .*or set REDIS_URL$/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
