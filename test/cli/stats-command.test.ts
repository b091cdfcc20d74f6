import { beforeEach, describe, expect, it } from "vitest";
import type { StoreStats } from "../../src/store/stats/store-stats.js";
import { runCliHere, writeConfigFile } from "../support/cli-runner.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, rawLocation, readRaw } from "../support/store-fixture.js";

const redis = useRedis();

const HASH = { strategy: "hash", bucketBits: 6, prefix: "cli:", codec: "none" } as const;
const STRINGS = { strategy: "string", prefix: "str:", codec: "none" } as const;

const file = writeConfigFile(
  [
    "stores:",
    "  default: { strategy: hash, bucketBits: 6, prefix: 'cli:', codec: none }",
    "  sessions: { strategy: string, prefix: 'str:', codec: none }",
    "",
  ].join("\n"),
);

/**
 * Runs the CLI in this process against the worker's Redis unless `env` says otherwise (cleanup-command.test.ts runs
 * the real process for its exit status and one-line failure).
 */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliHere(args, { REDIS_URL: redis.url, ...env });

/** What the arranged data should show, computed from raw Redis rather than from the stats code. */
let expected: { hashKeys: string[]; fills: number[]; recordMax: number; stringKeys: string[] };

beforeEach(async () => {
  const hash = makeStore(redis, HASH);
  const hashKeys: string[] = [];
  for (let i = 0; i < 10; i++) hashKeys.push((await hash.repository.create({ i })).key);
  // Two records well over Redis' default hash-max-listpack-value (64 bytes): an advisory must say so.
  for (let i = 0; i < 2; i++) hashKeys.push((await hash.repository.create({ big: "x".repeat(300) })).key);

  const fills = new Map<string, number>();
  let recordMax = 0;
  for (const key of hashKeys) {
    const bucket = rawLocation(hash.config, key).redisKey.toString("hex");
    fills.set(bucket, (fills.get(bucket) ?? 0) + 1);
    recordMax = Math.max(recordMax, (await readRaw(redis, hash.config, key))?.length ?? 0);
  }

  const strings = makeStore(redis, STRINGS);
  const stringKeys: string[] = [];
  for (let i = 0; i < 3; i++) stringKeys.push((await strings.repository.create({ i })).key);
  expected = { hashKeys, fills: [...fills.values()], recordMax, stringKeys };
});

describe("redisession stats", () => {
  it("--json prints every store's stats, matching what is in Redis", async () => {
    const result = await cli(["stats", "--json", "--config", file]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const stats = JSON.parse(result.stdout) as Record<string, StoreStats>;
    expect(Object.keys(stats)).toEqual(["default", "sessions"]);

    const hash = stats.default;
    expect(hash?.strategy).toBe("hash");
    expect(hash?.sessions).toBe(12);
    expect(hash?.exact).toBe(true);
    expect(hash?.buckets).toMatchObject({
      count: 64,
      scanned: 64,
      empty: 64 - expected.fills.length,
      min: 0,
      max: Math.max(...expected.fills),
    });
    expect(hash?.buckets?.mean).toBeCloseTo(12 / 64, 5);
    expect(hash?.recordBytes).toMatchObject({ sampled: 12, max: expected.recordMax });
    const limit = hash?.listpackLimits?.value ?? 0;
    expect(expected.recordMax).toBeGreaterThan(limit);
    expect(hash?.advisories.some((advisory) => advisory.includes(`hash-max-listpack-value (${limit})`))).toBe(
      true,
    );

    const strings = stats.sessions;
    expect(strings?.strategy).toBe("string");
    expect(strings?.sessions).toBe(3);
    expect(strings?.buckets).toBeUndefined();
  });

  it("--store limits the output to one store", async () => {
    const result = await cli(["stats", "--store", "sessions", "--json", "--config", file]);
    expect(result.code).toBe(0);
    const stats = JSON.parse(result.stdout) as Record<string, StoreStats>;
    expect(Object.keys(stats)).toEqual(["sessions"]);
    expect(stats.sessions?.sessions).toBe(3);
  });

  it("prints a table per store: name, strategy, figures, then the advisories as bullets", async () => {
    const json = JSON.parse((await cli(["stats", "--json", "--config", file])).stdout) as Record<
      string,
      StoreStats
    >;
    const result = await cli(["stats", "--config", file]);
    expect(result.code).toBe(0);
    const [hashTable, stringTable] = result.stdout.split("\n\n");

    expect(hashTable).toMatch(/^default\n/);
    expect(hashTable).toMatch(/^ {2}strategy {10}hash$/m);
    expect(hashTable).toMatch(/^ {2}sessions {10}12 \(exact; includes expired sessions not yet swept\)$/m);
    expect(hashTable).toMatch(
      new RegExp(
        `^ {2}bucket fill {7}64 buckets: min 0, mean 0\\.19, max ${Math.max(...expected.fills)}; `,
        "m",
      ),
    );
    expect(hashTable).toMatch(/^ {2}record bytes {6}mean \d+, max \d+ \(12 sampled\)$/m);
    expect(hashTable).toMatch(/^ {2}listpack limits {3}\d+ entries, values up to \d+ bytes$/m);
    expect(hashTable).toMatch(/^ {2}maxmemory policy {2}noeviction$/m);
    expect(hashTable).toContain("  advisories:\n");
    const advisories = json.default?.advisories ?? [];
    expect(advisories.length).toBeGreaterThan(0);
    for (const advisory of advisories) expect(hashTable).toContain(`\n    - ${advisory}`);

    expect(stringTable).toMatch(/^sessions\n/);
    expect(stringTable).toMatch(/^ {2}strategy {10}string$/m);
    expect(stringTable).toMatch(/^ {2}sessions {10}3 \(exact\)$/m);
    expect(stringTable).not.toContain("bucket fill");
  });

  it("refuses an unknown store with exit 2, listing the configured stores", async () => {
    const result = await cli(["stats", "--store", "nope", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('redisession: unknown store "nope" (configured: default, sessions)\n');
  });

  it("fails fast with exit 1 and one line when Redis is unreachable", async () => {
    const result = await cli(["stats", "--config", file], {
      REDIS_URL: "redis://user:hunter2@127.0.0.1:1/3",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain('Redis connection "default" at redis://127.0.0.1:1/3 within 3 s');
    expect(result.stderr).not.toContain("hunter2");
    // Fast means it gave up after its own wait (REDIS_WAIT_MS, named in the line) and returned 1, rather than
    // retrying until the test's hang guard stopped it: no stopwatch needed.
  });
});
