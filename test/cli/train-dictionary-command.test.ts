import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ZstdDictionary } from "../../src/codec/index.js";
import type { JsonObject } from "../../src/store/session.js";
import { sessionJson, UNSEEN_STREAM } from "../codec/support/dictionaries.js";
import { runCliHere, writeConfigFile } from "../support/cli-runner.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, readRaw, recordParts } from "../support/store-fixture.js";

const redis = useRedis();

const HASH = { strategy: "hash", bucketBits: 6, prefix: "hs:", codec: "zstd" } as const;
const STRINGS = { strategy: "string", prefix: "st:", codec: "gzip" } as const;

const config = writeConfigFile(
  [
    "stores:",
    "  default: { strategy: hash, bucketBits: 6, prefix: 'hs:', codec: zstd }",
    "  strings: { strategy: string, prefix: 'st:', codec: gzip }",
    "",
  ].join("\n"),
);

/**
 * Runs the CLI in this process against the worker's Redis (cleanup-command.test.ts runs the real process for its
 * exit status and one-line failure). `env` is also this process's environment during the run: the PATH that lacks
 * zstd is the one the command looks it up on.
 */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliHere(["train-dictionary", "--config", config, ...args], { REDIS_URL: redis.url, ...env });

/** A path for a dictionary that does not exist yet. */
const freshPath = () => join(mkdtempSync(join(tmpdir(), "redisession-trained-")), "sessions.dict");

const asData = (json: Buffer) => JSON.parse(json.toString("utf8")) as JsonObject;

/** Generated ~1 KB shop sessions: what the stores hold (one stream), and others to measure on. */
const stored = sessionJson(300, 8_000_001).map(asData);
const measured = sessionJson(40, UNSEEN_STREAM).map(asData);

/** Total stored record bytes of `sessions` saved into a store with `settings`. */
async function storedBytes(
  settings: Record<string, unknown>,
  sessions: readonly JsonObject[],
): Promise<{ records: number; payloads: number }> {
  const store = makeStore(redis, settings);
  const total = { records: 0, payloads: 0 };
  for (const data of sessions) {
    const record = await readRaw(redis, store.config, (await store.repository.create(data)).key);
    total.records += record?.length ?? Number.NaN;
    total.payloads += recordParts(record).payload.byteLength;
  }
  return total;
}

describe("redisession train-dictionary on stores holding sessions", () => {
  beforeEach(async () => {
    const hash = makeStore(redis, HASH);
    for (const data of stored) await hash.repository.create(data);
    const strings = makeStore(redis, STRINGS);
    for (const data of stored.slice(0, 120)) await strings.repository.create(data);
  });

  it("trains on a hash store's live sessions a dictionary that makes stored records smaller", async () => {
    const out = freshPath();
    const result = await cli(["--samples", "250", "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    const bytes = readFileSync(out);
    const dictionary = ZstdDictionary.fromBytes(bytes);
    expect(bytes.length).toBeLessThanOrEqual(16 * 1024);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = result.stdout.trim().split("\n");
    // 250 sampled, every tenth held out of training.
    expect(lines[0]).toBe(
      `default: trained dictionary ${dictionary.hexId} (${bytes.length} bytes) on 225 sessions; wrote ${out}`,
    );
    expect(lines[1]).toMatch(
      /^default: on 25 held-out sessions \(mean \d+ B of JSON\) zstd-dict stores \d+ B/,
    );

    // The same sessions (none of them trained on), stored by a store using the file and by a zstd store.
    const withDictionary = await storedBytes(
      { strategy: "hash", prefix: "d:", codec: "zstd-dict", zstdDictionaries: [out] },
      measured,
    );
    const withZstd = await storedBytes({ strategy: "hash", prefix: "z:", codec: "zstd" }, measured);
    const json = measured.reduce((sum, data) => sum + Buffer.byteLength(JSON.stringify(data)), 0);
    expect(withDictionary.records).toBeLessThan(withZstd.records * 0.7);
    // Payloads alone: the JSON over what the dictionary codec stores (header excluded, as the bench counts).
    expect(json / withDictionary.payloads).toBeGreaterThan(2.5);
  });

  it("samples a string store too, and trains on all samples when too few to hold some out", async () => {
    const out = freshPath();
    const result = await cli(["--store", "strings", "--samples", "40", "--size", "4096", "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^strings: trained dictionary [0-9a-f]{8} \(\d+ bytes\) on 40 sessions; wrote /,
    );
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(out).length).toBeLessThanOrEqual(4096);
  });

  it("never replaces an existing file", async () => {
    const out = freshPath();
    writeFileSync(out, "a dictionary in use");
    const result = await cli(["--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `redisession: ${out} already exists; write the new dictionary to a new file (records written with the old ` +
        "one need it for as long as they live)\n",
    );
    expect(readFileSync(out, "utf8")).toBe("a dictionary in use");
  });
});

describe("redisession train-dictionary failures", () => {
  it("fails in one line when the store holds too few sessions", async () => {
    const few = makeStore(redis, HASH);
    for (const data of stored.slice(0, 3)) await few.repository.create(data);
    const out = freshPath();
    const result = await cli(["--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "redisession: default: found 3 live sessions; training needs at least 10 (and works best on about 100 " +
        "times the dictionary size of JSON)\n",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("fails in one line when the zstd tool is not installed", async () => {
    const result = await cli(["--out", freshPath()], { PATH: mkdtempSync(join(tmpdir(), "no-zstd-")) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "redisession: training a dictionary needs the zstd command-line tool, which is not on PATH: install zstd " +
        "(e.g. apt-get install zstd)\n",
    );
  });

  it.each([
    [[], "train-dictionary needs --out FILE, a file that does not exist yet"],
    [["--out", "x.dict", "--samples", "5"], "--samples must be an integer from 10 to 100000"],
    [["--out", "x.dict", "--samples", "1e3"], "--samples must be an integer from 10 to 100000"],
    [["--out", "x.dict", "--size", "100"], "--size must be an integer from 256 to 1048576"],
    [["--out", "x.dict", "--store", "nope"], 'unknown store "nope" (configured: default, strings)'],
  ])("refuses the usage %j with exit status 2", async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`redisession: ${message}\n`);
  });
});
