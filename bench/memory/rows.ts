/**
 * Which rows the suite measures. The full matrix runs at 100k sessions; 1M-session rows (20–60 s each) are
 * limited to those the targets compare, all at ~200 B and codec none, and the target's layout with `zstd-dict`.
 */
import { FORMAT_1_BYTES } from "../../src/store/records/record.js";
import { maxJsonBytes, SIZE_CLASSES, type SizeClass } from "./population.js";
import { DEFAULT_LIMITS, type ListpackLimits } from "./redis-memory.js";

export type Layout =
  | { readonly kind: "string" }
  | { readonly kind: "hash"; readonly bits: number }
  | { readonly kind: "connect-redis" }
  | { readonly kind: "seed" };

/** The store codecs measured; `zstd-dict` rows need a trained dictionary (see dictionaries.ts). */
export type RowCodec = "none" | "zstd" | "zstd-dict";

export interface RowSpec {
  readonly sessions: number;
  readonly size: SizeClass;
  readonly layout: Layout;
  /** Listpack limits set on the server for the row; `null` where no Hash is written (strings). */
  readonly limits: { readonly raised: boolean; readonly values: ListpackLimits } | null;
  readonly codec: RowCodec;
  /** The row the targets are checked on. */
  readonly target?: "hash" | "connect-redis";
}

/** Buckets of the seed's layout: two key bytes. */
export const SEED_BUCKET_BITS = 16;

/**
 * Bucket bits that put ~64 sessions in a bucket: a bucket's own cost (robj, key name, dict entry, listpack
 * header: ~60 B) is then ~1 B per session, while a listpack stays small enough (~16 KB at 200 B) that the O(n)
 * scan and reallocation of every HGET/HSET stay cheap and the fullest bucket stays under 128 entries.
 */
export function suitableBits(sessions: number): number {
  return Math.min(24, Math.max(1, Math.round(Math.log2(sessions / 64))));
}

/**
 * Limits that keep every bucket a listpack: `-value` at least the largest record (with record format 1's 14-byte
 * header, longer than today's and the seed's 5, so that the limits stay those of earlier runs) rounded up to 64, `-entries` at least 128 (the default) and above the fullest
 * bucket to expect, mean + 6 standard deviations of the Poisson fill, rounded up to 64.
 */
export function raisedLimits(sessions: number, size: SizeClass, bits: number): ListpackLimits {
  const mean = sessions / 2 ** bits;
  return {
    entries: Math.max(DEFAULT_LIMITS.entries, Math.ceil((mean + 6 * Math.sqrt(mean) + 8) / 64) * 64),
    value: Math.ceil((maxJsonBytes(size) + FORMAT_1_BYTES) / 64) * 64,
  };
}

function hashRow(sessions: number, size: SizeClass, bits: number, raised: boolean, codec: RowCodec): RowSpec {
  const values = raised ? raisedLimits(sessions, size, bits) : DEFAULT_LIMITS;
  return { sessions, size, layout: { kind: "hash", bits }, limits: { raised, values }, codec };
}

function seedRow(sessions: number, size: SizeClass, raised: boolean): RowSpec {
  const values = raised ? raisedLimits(sessions, size, SEED_BUCKET_BITS) : DEFAULT_LIMITS;
  return { sessions, size, layout: { kind: "seed" }, limits: { raised, values }, codec: "none" };
}

/**
 * The full run's `zstd-dict` rows at `sessions` of `size`: string, and hash at the suitable bits with raised
 * limits. When those bits are not among the matrix's, codec none and zstd are measured there too, so the three
 * codecs compare on one layout.
 */
function dictionaryRows(sessions: number, size: SizeClass, bitsList: readonly number[]): RowSpec[] {
  const bits = suitableBits(sessions);
  const rows: RowSpec[] = [];
  if (!bitsList.includes(bits)) {
    rows.push(hashRow(sessions, size, bits, true, "none"));
    // zstd would store ~200 B sessions plain (below compressMinBytes): the same row as codec none.
    if (size !== SIZE_CLASSES.small) rows.push(hashRow(sessions, size, bits, true, "zstd"));
  }
  rows.push(
    { sessions, size, layout: { kind: "string" }, limits: null, codec: "zstd-dict" },
    hashRow(sessions, size, bits, true, "zstd-dict"),
  );
  return rows;
}

/** Every row of a run, in order. */
export function rowsFor(quick: boolean): RowSpec[] {
  const full = quick ? 20_000 : 100_000;
  const sizes = quick ? [SIZE_CLASSES.small, SIZE_CLASSES.medium] : Object.values(SIZE_CLASSES);
  const bitsList = quick ? [suitableBits(full)] : [12, 14, 16];
  const rows: RowSpec[] = [];
  for (const size of sizes) {
    // Below compressMinBytes (400) zstd stores ~200 B sessions plain; the quick run skips those duplicate rows.
    const codecs: RowCodec[] = quick && size === SIZE_CLASSES.small ? ["none"] : ["none", "zstd"];
    for (const codec of codecs) {
      rows.push({ sessions: full, size, layout: { kind: "string" }, limits: null, codec });
      for (const bits of bitsList) {
        rows.push(hashRow(full, size, bits, false, codec), hashRow(full, size, bits, true, codec));
      }
    }
    if (!quick) rows.push(...dictionaryRows(full, size, bitsList));
    rows.push({ sessions: full, size, layout: { kind: "connect-redis" }, limits: null, codec: "none" });
    if (!quick) rows.push(seedRow(full, size, false));
    rows.push(seedRow(full, size, true));
  }
  // The target's population: 1M in the full run, the quick run's own otherwise.
  const big = quick ? full : 1_000_000;
  const small = SIZE_CLASSES.small;
  // The target row's layout and population with zstd-dict (informational: the target is checked on codec none).
  const dictionaryTwin = hashRow(big, small, suitableBits(big), true, "zstd-dict");
  const targetRows: RowSpec[] = [
    { ...hashRow(big, small, suitableBits(big), true, "none"), target: "hash" },
    {
      sessions: big,
      size: small,
      layout: { kind: "connect-redis" },
      limits: null,
      codec: "none",
      target: "connect-redis",
    },
  ];
  if (quick) {
    // Mark the matching rows already measured instead of writing them twice.
    for (const target of targetRows) {
      const index = rows.findIndex((row) => sameRow(row, target));
      if (index >= 0) rows[index] = target;
      else rows.push(target);
    }
    // The quick run's only zstd-dict row, right after the target row, whose population is still cached.
    const target = rows.findIndex((row) => row.target === "hash");
    rows.splice(target + 1, 0, dictionaryTwin);
    return rows;
  }
  return [
    ...rows,
    ...targetRows.slice(0, 1),
    dictionaryTwin,
    ...targetRows.slice(1),
    { sessions: big, size: small, layout: { kind: "string" }, limits: null, codec: "none" },
    seedRow(big, small, true),
  ];
}

function sameRow(a: RowSpec, b: RowSpec): boolean {
  return (
    a.sessions === b.sessions &&
    a.size === b.size &&
    JSON.stringify(a.layout) === JSON.stringify(b.layout) &&
    a.codec === b.codec &&
    a.limits?.raised === b.limits?.raised
  );
}

/** A row's layout, as the tables name it. */
export function layoutLabel(layout: Layout): string {
  switch (layout.kind) {
    case "string":
      return "string";
    case "hash":
      return `hash 2^${layout.bits}`;
    case "connect-redis":
      return "connect-redis";
    case "seed":
      return `seed (2^${SEED_BUCKET_BITS}, raw HSET)`;
  }
}
