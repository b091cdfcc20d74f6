/**
 * Redis memory per session, by layout, payload size, listpack limits and codec, against connect-redis and the
 * seed's layout written into the same Redis in the same run. Each row starts from FLUSHALL and reads
 * `used_memory` (settled) before and after writing its population; see bench/memory/ for the parts. `zstd-dict`
 * rows need the `zstd` tool to train their dictionaries, and are left out (the run says so) without it.
 *
 * Standalone: node --import tsx bench/memory.ts [--quick]
 */
import { createRedisClient } from "../src/store/redis/redis-connection.js";
import { type DictionaryFiles, trainDictionaryFiles } from "./memory/dictionaries.js";
import { measureRow, type RowResult } from "./memory/measure-row.js";
import {
  breakdownTable,
  codecsTable,
  overheadVsJson,
  overheadVsStored,
  rowName,
  rowsTable,
} from "./memory/report.js";
import { layoutLabel, type RowSpec, rowsFor } from "./memory/rows.js";
import { benchRedis, progress } from "./support/harness.js";
import { runIfMain, type Suite, type TargetCheck } from "./support/suite.js";

/** The targets for the hash strategy at 1M × ~200 B with raised limits. */
const MAX_OVERHEAD = 35;
const MIN_ADVANTAGE = 4.5;

const b = (n: number) => n.toFixed(1);

function describe(row: RowSpec): string {
  const limits = row.limits === null ? "" : `, ${row.limits.raised ? "raised" : "default"} limits`;
  return `${rowName(row)}${limits}, codec ${row.codec}`;
}

function targets(hash: RowResult | undefined, connect: RowResult | undefined): TargetCheck[] {
  if (hash === undefined || connect === undefined) return [];
  const where = `${hash.row.sessions.toLocaleString("en-US")} × ${hash.row.size.label}`;
  const ours = overheadVsJson(hash);
  const ratio = overheadVsJson(connect) / ours;
  return [
    {
      name: `memory: ${layoutLabel(hash.row.layout)}, raised listpack limits, ${where}: overhead per session`,
      target: `≤ ${MAX_OVERHEAD} B`,
      measured: `${b(ours)} B`,
      met: ours <= MAX_OVERHEAD,
    },
    {
      name: `memory: connect-redis overhead ÷ ${layoutLabel(hash.row.layout)} overhead, ${where}`,
      target: `≥ ${MIN_ADVANTAGE}`,
      measured: ratio.toFixed(2),
      met: ratio >= MIN_ADVANTAGE,
    },
  ];
}

export const run: Suite = async ({ quick }) => {
  // Every row starts with FLUSHALL and reconfigures the server: never do that to a Redis someone named.
  if (process.env.REDIS_URL) {
    throw new Error(
      "the memory suite flushes and reconfigures its Redis: unset REDIS_URL to let it start a private one",
    );
  }
  let rows = rowsFor(quick);
  const redis = await benchRedis();
  const client = createRedisClient({ name: "bench", url: redis.url, connectTimeoutMs: 2_000 });
  await client.connect();
  const started = performance.now();
  const results: RowResult[] = [];
  let dictionaries: DictionaryFiles | null = null;
  try {
    const dictionarySizes = [...new Set(rows.filter((r) => r.codec === "zstd-dict").map((r) => r.size))];
    if (dictionarySizes.length > 0) dictionaries = await trainDictionaryFiles(dictionarySizes);
    if (dictionaries === null) rows = rows.filter((r) => r.codec !== "zstd-dict");
    for (const [index, row] of rows.entries()) {
      progress(`memory ${index + 1}/${rows.length}: ${describe(row)}`);
      const result = await measureRow(
        client,
        row,
        (done) =>
          progress(`  ${done.toLocaleString("en-US")} of ${row.sessions.toLocaleString("en-US")} written`),
        dictionaries?.files,
      );
      results.push(result);
      progress(
        `  ${b(result.bytesPerSession)} B/session; overhead vs JSON ${b(overheadVsJson(result))} B, beyond ` +
          `the stored payload ${b(overheadVsStored(result))} B (written in ${result.writeSeconds.toFixed(1)} s)`,
      );
    }
  } finally {
    await client.close();
    await redis.stop();
    await dictionaries?.remove();
  }
  const seconds = (performance.now() - started) / 1000;
  const hash = results.find((r) => r.row.target === "hash");
  const connect = results.find((r) => r.row.target === "connect-redis");
  return {
    tables: [
      rowsTable(results),
      ...[codecsTable(results)].filter((table) => table !== null),
      breakdownTable(
        results.filter(
          (r) => r.breakdown !== null && r.row.size.bytes === 200 && r.row.limits?.raised === true,
        ),
      ),
    ],
    figures: {
      seconds,
      rows: results.map((r) => ({
        ...r,
        row: { ...r.row, size: r.row.size.label, layout: layoutLabel(r.row.layout) },
        overheadVsJson: overheadVsJson(r),
        overheadVsStored: overheadVsStored(r),
      })),
    },
    targets: targets(hash, connect),
  };
};

await runIfMain(run, import.meta.filename);
