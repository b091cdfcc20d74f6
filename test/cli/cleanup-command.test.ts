import { describe, expect, it } from "vitest";
import { runCli, runCliHere, writeConfigFile } from "../support/cli-runner.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, rawLocation, readRaw } from "../support/store-fixture.js";

const redis = useRedis();

/** The stores the CLI is given; the fixtures below write with the same prefixes and bucket bits. */
const HASH = { strategy: "hash", bucketBits: 6, prefix: "cli:", codec: "none" } as const;
const STRINGS = { strategy: "string", prefix: "str:" } as const;

function configFile(stores: Record<string, object>): string {
  return writeConfigFile(JSON.stringify({ stores }), "config.json");
}

/** Runs the CLI in this process against the worker's Redis unless `env` says otherwise. */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliHere(args, { REDIS_URL: redis.url, ...env });

/** The same in a `redisession` process of its own, for what only the process shows: its exit status, its stderr. */
const cliProcess = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { REDIS_URL: redis.url, ...env });

/** `expired` sessions written two hours ago with a one-minute TTL, `live` ones written now. */
async function arrange(expired: number, live: number) {
  const store = makeStore(redis, HASH);
  store.clock.advanceSeconds(-7200);
  const gone = [];
  for (let i = 0; i < expired; i++) gone.push((await store.repository.create({ i }, { ttl: 60 })).key);
  store.clock.ms = Date.now();
  const kept = [];
  for (let i = 0; i < live; i++) kept.push((await store.repository.create({ i })).key);
  return { ...store, gone, kept };
}

const SUMMARY =
  /^(\S+): swept (\d+) buckets, (\d+) sessions examined, (\d+) expired removed, (\d+) corrupt, in \d+(\.\d)? (ms|s)$/;

describe("redisession cleanup", () => {
  it("sweeps every bucket of the default store, removes exactly the expired sessions and says so in one line", async () => {
    const { config, gone, kept } = await arrange(5, 7);
    // A record too short to carry an expiry: counted as corrupt and left alone.
    const corruptBucket = rawLocation(config, "ab".repeat(16)).redisKey;
    await redis.raw("HSET", corruptBucket, Buffer.alloc(16, 0xab), "xx");

    const result = await cli(["cleanup", "--config", configFile({ default: HASH })]);

    expect(result.stderr).toBe(""); // not a terminal, and too short a sweep for a progress line
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const [, store, buckets, examined, removed, corrupt] = SUMMARY.exec(lines[0] ?? "") ?? [];
    expect({ store, buckets, examined, removed, corrupt }).toEqual({
      store: "default",
      buckets: "64",
      examined: "13",
      removed: "5",
      corrupt: "1",
    });
    for (const key of gone) expect(await readRaw(redis, config, key)).toBeNull();
    for (const key of kept) expect(await readRaw(redis, config, key)).not.toBeNull();
    expect(await redis.raw("HEXISTS", corruptBucket, Buffer.alloc(16, 0xab))).toBe(1);

    const again = await cli(["cleanup", "--config", configFile({ default: HASH })]);
    expect(again.stdout).toMatch(
      /^default: swept 64 buckets, 8 sessions examined, 0 expired removed, 1 corrupt/,
    );
  });

  it("sweeps the store --store names", async () => {
    const { config, gone } = await arrange(3, 2);
    const file = configFile({ default: { ...HASH, prefix: "other:" }, web: HASH });
    const result = await cli(["cleanup", "--store", "web", "--config", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^web: swept 64 buckets, 5 sessions examined, 3 expired removed, 0 corrupt, in /,
    );
    for (const key of gone) expect(await readRaw(redis, config, key)).toBeNull();
  });

  it("with --all sweeps every hash store and reports string stores as having nothing to sweep", async () => {
    const { config, gone, kept } = await arrange(4, 1);
    const strings = makeStore(redis, STRINGS);
    const stringKey = (await strings.repository.create({ s: 1 })).key;

    const result = await cli([
      "cleanup",
      "--all",
      "--config",
      configFile({ default: HASH, sessions: STRINGS }),
    ]);

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^default: swept 64 buckets, 5 sessions examined, 4 expired removed, 0 corrupt, in /,
    );
    expect(lines[1]).toBe("sessions: nothing to sweep (string strategy)");
    for (const key of gone) expect(await readRaw(redis, config, key)).toBeNull();
    for (const key of kept) expect(await readRaw(redis, config, key)).not.toBeNull();
    expect(await readRaw(redis, strings.config, stringKey)).not.toBeNull();
  });

  it("needs no Redis for a string store, which has nothing to sweep", async () => {
    const file = configFile({ default: STRINGS });
    const result = await cli(["cleanup", "--config", file], { REDIS_URL: "redis://127.0.0.1:1" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("default: nothing to sweep (string strategy)\n");
  });

  it("refuses an unknown store with exit 2, listing the configured stores", async () => {
    const file = configFile({ default: HASH, sessions: STRINGS });
    const unknown = await cli(["cleanup", "--store", "nope", "--config", file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('redisession: unknown store "nope" (configured: default, sessions)\n');
    expect(unknown.stdout).toBe("");

    const noDefault = await cli(["cleanup", "--config", configFile({ web: HASH })]);
    expect(noDefault.code).toBe(2);
    expect(noDefault.stderr).toContain('no store named "default" is configured; name one with --store');
  });

  it("refuses --store with --all with exit 2", async () => {
    const both = await cli(["cleanup", "--all", "--store", "default"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--store or --all, not both");
  });

  // Run as a process of its own: a usage error is what the real command exits with (2).
  it("refuses unknown options with exit 2", async () => {
    const unknownOption = await cliProcess(["cleanup", "--bogus"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("--bogus");
  });

  // Run as a process of its own: the process ends by itself, exits 1 and prints one line, no stack trace.
  it("fails fast with exit 1 and one line naming the connection, never its password, when Redis is unreachable", async () => {
    const result = await cliProcess(["cleanup"], { REDIS_URL: "redis://:hunter2@127.0.0.1:1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^redisession: cannot reach Redis connection "default" at redis:\/\/127\.0\.0\.1:1 within 3 s/,
    );
    expect(result.stderr).not.toContain("hunter2");
    // Fast means it gave up after its own wait (REDIS_WAIT_MS, named in the line) and exited 1, rather than
    // retrying until the runner's hang guard killed it (exit -1): no stopwatch needed.
  });

  it("lists the new commands in its usage", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("redisession cleanup [--config FILE] [--store NAME | --all]");
    expect(help.stdout).toContain("redisession stats [--config FILE] [--store NAME] [--json]");
    expect(help.stdout).toContain("redisession serve [--config FILE] [--port N] [--host ADDRESS]");
  });
});
