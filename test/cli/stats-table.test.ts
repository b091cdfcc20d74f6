import { describe, expect, it } from "vitest";
import { formatBytes, formatStoreStats, formatTable } from "../../src/cli/stats-table.js";
import type { StoreStats } from "../../src/store/stats/store-stats.js";

const sampledHashStats = {
  strategy: "hash",
  sessions: 12_345_678,
  exact: false,
  buckets: { count: 16_777_216, scanned: 65_536, empty: 10, min: 0, mean: 0.7358, max: 6 },
  encodings: { listpack: 30, hashtable: 2 },
  recordBytes: { sampled: 200, mean: 90, max: 1500 },
  listpackLimits: { entries: 128, value: 64 },
  maxmemoryPolicy: "allkeys-lru",
  memory: { sampledKeys: 32, bytesPerSession: 61.5, totalBytes: 759_269_197 },
  someFutureField: { perBucket: 3, label: "x" },
  advisories: ["first advice", "second advice"],
};

describe("stats table", () => {
  it("aligns labels in one column", () => {
    expect(
      formatTable([
        ["a", "1"],
        ["longer", "2"],
      ]),
    ).toBe("  a       1\n  longer  2");
  });

  it("formats byte counts with binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2150)).toBe("2.1 KiB");
    expect(formatBytes(759_269_197)).toBe("724.1 MiB");
  });

  it("shows an estimate as such, sampled bucket fill, the memory estimate and fields it does not know", () => {
    const table = formatStoreStats("big", sampledHashStats as unknown as StoreStats);
    expect(table).toBe(
      [
        "big",
        "  strategy           hash",
        "  sessions           ~12,345,678 (estimated from 65,536 sampled buckets; includes expired sessions not yet swept)",
        "  bucket fill        16,777,216 buckets: min 0, mean 0.74, max 6; 10 of 65,536 sampled empty",
        "  encodings          listpack 30, hashtable 2 (of 32 sampled keys)",
        "  record bytes       mean 90, max 1,500 (200 sampled)",
        "  listpack limits    128 entries, values up to 64 bytes",
        "  maxmemory policy   allkeys-lru (may evict sessions: see advisories)",
        "  memory             ~724.1 MiB (61.5 B per session, from 32 sampled keys)",
        "  some future field  per bucket 3, label x",
        "  advisories:",
        "    - first advice",
        "    - second advice",
      ].join("\n"),
    );
  });

  it("flags a maxmemory policy as evicting only where it evicts the store's sessions", () => {
    const row = (strategy: string, maxmemoryPolicy: string) =>
      formatStoreStats("s", { ...sampledHashStats, strategy, maxmemoryPolicy } as unknown as StoreStats)
        .split("\n")
        .find((line) => line.startsWith("  maxmemory policy"));
    // Hash buckets have no TTL: volatile-* never evicts them.
    expect(row("hash", "volatile-lru")).toBe("  maxmemory policy   volatile-lru");
    expect(row("string", "volatile-lru")).toBe(
      "  maxmemory policy   volatile-lru (may evict sessions: see advisories)",
    );
    expect(row("hash", "noeviction")).toBe("  maxmemory policy   noeviction");
  });

  it("says what is unknown or missing for an empty string store (INFO refused: the policy unknown)", () => {
    const empty = {
      strategy: "string",
      sessions: 0,
      exact: true,
      encodings: {},
      recordBytes: { sampled: 0, mean: 0, max: 0 },
      listpackLimits: null,
      maxmemoryPolicy: null,
      memory: null,
      advisories: [],
    };
    expect(formatStoreStats("s", empty as unknown as StoreStats)).toBe(
      [
        "s",
        "  strategy          string",
        "  sessions          0 (exact)",
        "  encodings         none sampled",
        "  record bytes      none sampled",
        "  listpack limits   unknown (CONFIG GET refused)",
        "  maxmemory policy  unknown (INFO memory refused)",
        "  memory            unknown (MEMORY USAGE refused, or nothing to sample)",
        "  advisories: none",
      ].join("\n"),
    );
  });
});
