import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { answersPing, ensureLocalRedis, NoRedisError } from "../../src/cli/private-redis.js";
import { testLogger } from "../support/server-fixture.js";

const run = promisify(execFile);

async function serve(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("redisession CLI", () => {
  it("refuses a bad configuration with a message naming the field, and a non-zero exit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "redisession-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "stores:\n  default:\n    bucketBits: 99\n");
    const result = await serve(["serve", "--config", file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("stores.default.bucketBits");
  });

  it("refuses unknown commands and bad ports with usage", async () => {
    expect((await serve(["bogus"])).code).toBe(2);
    const badPort = await serve(["serve", "--port", "70000"], { REDIS_URL: "redis://127.0.0.1:1" });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("--port");
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
