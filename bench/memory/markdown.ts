/** The memory suite's markdown: how rows were measured, the tables, and the analysis of the target row. */

import { SEED_HEADER_BYTES } from "./baselines.js";
import type { Breakdown } from "./breakdown.js";
import { DICTIONARY_COMPRESS_MIN_BYTES, type RowResult } from "./measure-row.js";
import {
  bitsNote,
  breakdownTable,
  codecsTable,
  overheadVsJson,
  overheadVsStored,
  proposalsTable,
  rowsTable,
  seedComparison,
} from "./report.js";

const b = (n: number) => n.toFixed(1);

/** Whether any header change could reach the target, and what is left if not. */
function floorNote(hash: RowResult, d: Breakdown, maxOverhead: number): string {
  const floor = overheadVsJson(hash) - (d.headerSavings[SEED_HEADER_BYTES] ?? Number.NaN);
  if (floor <= maxOverhead)
    return `A header of ${SEED_HEADER_BYTES} B would bring the overhead to ${b(floor)} B, within ${maxOverhead} B.`;
  const unavoidable = d.field + d.entryEncoding + d.rounding;
  return (
    `No header change reaches ${maxOverhead} B: even the seed's ${SEED_HEADER_BYTES}-byte header leaves ${b(floor)} B. ` +
    `The field (${b(d.field)} B: the 128-bit key less the bucket's whole bytes), the listpack entry encoding ` +
    `(${b(d.entryEncoding)} B) and jemalloc's rounding (${b(d.rounding)} B) alone come to ${b(unavoidable)} B` +
    (unavoidable > maxOverhead ? `, above ${maxOverhead} B whatever the header. ` : ". ") +
    "Rounding is proportional to the listpack, so only a smaller stored payload shrinks it."
  );
}

/** How the `zstd-dict` rows were made, and what the target's twin with it measured (nothing if no such rows). */
function dictionaryLines(results: readonly RowResult[], hash: RowResult | undefined): string[] {
  const dictionaries = new Map(
    results.flatMap((r) => (r.dictionary === null ? [] : [[r.row.size.label, r.dictionary] as const])),
  );
  if (dictionaries.size === 0) return [];
  const trained = [...dictionaries]
    .map(([label, d]) => `${label}: ${d.id}, ${d.bytes} B, on ${d.trainedOn} sessions`)
    .join("; ");
  const lines = [
    "### zstd-dict against none and zstd",
    "",
    "`zstd-dict` rows are written through the same `createSessionRepository(...).create(data)` with `codec: " +
      "zstd-dict`, the dictionary's file listed in `zstdDictionaries` and " +
      `\`compressMinBytes: ${DICTIONARY_COMPRESS_MIN_BYTES}\` (a store trains a dictionary to compress its small ` +
      "sessions, which the default 400 would leave plain). One dictionary per size class, trained as " +
      "`redisession train-dictionary` trains it (its default 2,000 samples less the tenth it holds out, " +
      "`zstd --train`, 16 KiB) on sessions of another seed stream than the measured ones " +
      `(${trained}). The dictionary lives in the service's memory, not in Redis: it is not in these figures.`,
    "",
    codecsTable(results) ?? "",
    "",
  ];
  const twin = results.find(
    (r) =>
      hash !== undefined &&
      r.row.codec === "zstd-dict" &&
      r.row.sessions === hash.row.sessions &&
      r.row.size === hash.row.size &&
      JSON.stringify(r.row.layout) === JSON.stringify(hash.row.layout) &&
      r.row.limits?.raised === hash.row.limits?.raised,
  );
  if (hash !== undefined && twin !== undefined) {
    lines.push(
      `For information: the target row's layout and population with zstd-dict (${twin.row.sessions.toLocaleString("en-US")} × ` +
        `${twin.row.size.label}) takes ${b(twin.bytesPerSession)} B/session against ${b(hash.bytesPerSession)} B ` +
        `with codec none: overhead vs JSON ${b(overheadVsJson(twin))} B (codec none: ${b(overheadVsJson(hash))} B), ` +
        `${b(overheadVsStored(twin))} B beyond its ${b(twin.storedBytes)} B stored payload (codec none: ` +
        `${b(overheadVsStored(hash))} B). The target is checked on codec none.`,
      "",
    );
  }
  return lines;
}

/** The suite's markdown section; `hash` and `connect` are the target rows, `maxOverhead` the 35 B target. */
export function markdown(
  results: readonly RowResult[],
  hash: RowResult | undefined,
  connect: RowResult | undefined,
  seconds: number,
  maxOverhead: number,
): string {
  const packed = results.filter(
    (r) => r.breakdown !== null && r.row.size.bytes === 200 && r.row.limits?.raised === true,
  );
  const lines = [
    "## Memory per session",
    "",
    `Each row: FLUSHALL, the row's \`hash-max-listpack-*\` set by CONFIG SET, \`used_memory\` read once settled, the ` +
      "population written (ours through `createSessionRepository(...).create(data)`, 1,000 in flight), " +
      "`used_memory` read again once settled; **B/session** is the difference over the population, leaving out " +
      "client buffers (`mem_clients_normal`, tens of KiB of pipelining noise). JSON is realistic session data (user id, CSRF token, flash " +
      "messages, cart, preferences, recent pages), deterministic per session and spread ±15% around its class. " +
      `Suite time: ${Math.round(seconds)} s.`,
    "",
    "- **JSON B** is the mean JSON of the row's sessions; **stored payload B** the mean payload as stored (after " +
      "the codec, record header not included; JSON + cookie for connect-redis).",
    "- **overhead vs JSON** = B/session − the session's JSON bytes: what a session costs beyond its uncompressed " +
      "data, and the overhead the targets and the breakdown below speak of (for compressed rows, negative when " +
      "compression saves more than the layout costs; for connect-redis it includes the `cookie` express-session " +
      "stores in every session).",
    "- **overhead beyond stored payload** = B/session − the stored payload: the structure's cost alone (record " +
      "header, field or key, listpack encoding, allocator rounding, bucket). zstd leaves ~200 B sessions plain " +
      "(below `compressMinBytes`, 400), so those rows repeat codec none; the zstd-dict rows set it to " +
      `${DICTIONARY_COMPRESS_MIN_BYTES} (see below).`,
    "- **listpack limits**: *default* is Redis 7.0's 128/64, which no ~200 B record fits, so every bucket is a " +
      "hashtable; *raised* sets `-value` to the largest record rounded up to 64 and `-entries` to the larger " +
      "of 128 and the fullest bucket to expect (mean + 6σ, rounded up to 64); the table gives the values.",
    `- **bucket bits** that suit a population (~64 sessions per bucket): ${bitsNote(results)}.`,
    "- **sampled encodings**: `OBJECT ENCODING` of 64 `RANDOMKEY`s. Bucket fill: sessions per bucket over all 2^bits.",
    "",
    rowsTable(results),
    "",
    ...dictionaryLines(results, hash),
  ];
  if (packed.length > 0) {
    lines.push(
      "### Where a packed ~200 B session's bytes go",
      "",
      "From 256 sampled buckets per row: HGETALL gives every field and value; the listpack's exact size follows " +
        "from Redis 7's encoding; `MEMORY USAGE … SAMPLES 0` gives what was allocated for it, and jemalloc's " +
        "size class of the modelled size must equal it (*model mismatches* counts buckets where it does not). " +
        "The rest is by difference from `used_memory`.",
      "",
      breakdownTable(packed),
      "",
    );
  }
  const targetBreakdown = hash?.breakdown;
  if (hash !== undefined && targetBreakdown !== null && targetBreakdown !== undefined) {
    const d: Breakdown = targetBreakdown;
    const fixed = d.header + d.field + d.entryEncoding;
    lines.push(
      "### What would shrink it",
      "",
      `The target row's overhead is ${b(overheadVsJson(hash))} B: ${b(d.header)} B of record header, ` +
        `${b(d.field)} B of field and ${b(d.entryEncoding)} B of listpack entry encoding (${b(fixed)} B however ` +
        `full the buckets), ${b(d.rounding)} B of jemalloc rounding ` +
        `(${((100 * d.rounding) / d.listpackAllocated).toFixed(1)}% of the listpack: size classes are four per ` +
        "doubling, so a listpack wastes ~6–12% of its size whatever the bucket bits), and " +
        `${b(overheadVsJson(hash) - fixed - d.rounding)} B of bucket and dictionary costs. Expected savings, ` +
        "computed on the same sampled buckets (listpacks re-encoded, rounding scaled in proportion):",
      "",
      proposalsTable({ ...hash, breakdown: d }),
      "",
      floorNote(hash, d, maxOverhead),
      "",
    );
    const seed = results.find(
      (r) => r.row.layout.kind === "seed" && r.row.sessions === hash.row.sessions && r.row.limits?.raised,
    );
    if (seed?.breakdown)
      lines.push(seedComparison({ ...hash, breakdown: d }, { ...seed, breakdown: seed.breakdown }), "");
  }
  if (connect !== undefined && hash !== undefined) {
    lines.push(
      `connect-redis at the same population: ${b(connect.bytesPerSession)} B/session, overhead ` +
        `${b(overheadVsJson(connect))} B vs JSON (${b(overheadVsStored(connect))} B without the cookie it stores), ` +
        `${(overheadVsStored(connect) / overheadVsJson(hash)).toFixed(2)}× ours if the cookie were not counted.`,
      "",
    );
  }
  return lines.join("\n");
}
