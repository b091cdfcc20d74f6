/** The codec suite's console tables, from the figures alone (no measuring here). */
import type { Table } from "../support/table.js";
import type { Limits, SweepBucket, TierThreshold } from "./analysis.js";
import type { Cell, Tier } from "./measure.js";
import type { Variant } from "./variants.js";

/** µs with as many decimals as a noisy median deserves. */
function us(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const bytes = (value: number) => String(Math.round(value));
const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;

function tierName(tier: number): string {
  return tier >= 1024 ? `~${tier / 1024} KB` : `~${tier} B`;
}

/** A row label: shipped settings marked, so no one mistakes which is which. */
const rowLabel = (variant: Variant) => (variant.shipped ? `${variant.label} (shipped)` : variant.label);

export function corpusTable(tiers: readonly Tier[]): Table {
  return {
    title: "corpus",
    header: ["tier", "sessions", "mean JSON B", "min–max JSON B", "CSRF token chars ÷ JSON"],
    rows: tiers.map(({ bytes: tier, inputs }) => {
      const sizes = inputs.map((input) => input.length);
      const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
      // The token's characters are the part of every session that nothing can compress (its key name can).
      const tokens = inputs.map((input) => String(JSON.parse(input.toString("utf8")).csrfToken).length);
      const tokenMean = tokens.reduce((sum, length) => sum + length, 0) / tokens.length;
      return [
        tierName(tier),
        inputs.length,
        bytes(mean),
        `${Math.min(...sizes)}–${Math.max(...sizes)}`,
        `${((tokenMean / mean) * 100).toFixed(1)}%`,
      ];
    }),
  };
}

/** Codec settings × tiers, showing `value` of each cell. */
export function variantTable(
  title: string,
  variants: readonly Variant[],
  tiers: readonly Tier[],
  cells: readonly Cell[],
  value: (cell: Cell) => string,
): Table {
  return {
    title,
    header: ["codec", ...tiers.map(({ bytes: tier }) => tierName(tier))],
    rows: variants.map((variant) => [
      rowLabel(variant),
      ...tiers.map(({ bytes: tier }) => {
        const cell = cells.find((c) => c.variant === variant.label && c.tier === tier);
        return cell === undefined ? "–" : value(cell);
      }),
    ]),
  };
}

/** What zstd (shipped) saves per tier over storing plain, and what it costs in CPU. */
export function thresholdTable(rows: readonly TierThreshold[]): Table {
  return {
    title: "zstd (shipped) against plain, records as encodePayload writes them with no threshold",
    header: [
      "tier",
      "mean JSON B",
      "record plain B",
      "record zstd B",
      "saved B",
      "saved",
      "sessions shrunk",
      "extra µs/write",
      "extra µs/read",
    ],
    rows: rows.map((row) => [
      tierName(row.tier),
      bytes(row.meanJsonBytes),
      bytes(row.plainRecordBytes),
      bytes(row.zstdRecordBytes),
      bytes(row.savedBytes),
      percent(row.savedShare),
      percent(row.compressedShare),
      us(row.writeExtraUs),
      us(row.readExtraUs),
    ]),
  };
}

/** Sizes only, by JSON size bucket: where between ~100 B and ~1.5 KB zstd starts to pay. */
export function sweepTable(buckets: readonly SweepBucket[], threshold: number | undefined): Table {
  return {
    title: `compressMinBytes sweep (zstd, sizes only); recommended: ${threshold ?? "none"}`,
    header: ["JSON size B", "sessions", "mean JSON B", "saved B", "saved", "sessions shrunk"],
    rows: buckets.map((bucket) => [
      `${bucket.from}–${bucket.to - 1}`,
      bucket.sessions,
      bytes(bucket.meanJsonBytes),
      bytes(bucket.savedBytes),
      percent(bucket.savedShare),
      percent(bucket.compressedShare),
    ]),
  };
}

/** What keeps per-record zstd from a higher ratio on the target tier. */
export function limitsTable(limits: Limits, target: number): Table {
  return {
    title: `zstd 3 on ${tierName(limits.tier)} sessions, against a ${target}× target`,
    header: ["figure", "value"],
    rows: [
      ["mean JSON B", bytes(limits.meanJsonBytes)],
      ["mean zstd 3 payload B", bytes(limits.zstdBytes)],
      ["ratio", times(limits.ratio)],
      [`payload a ${target}× ratio needs B`, bytes(limits.payloadForTarget)],
      ["zstd framing per payload B", bytes(limits.framingBytes)],
      ["compressed bytes the CSRF token costs B", bytes(limits.tokenCostBytes)],
      ["ratio without token or framing", times(limits.ratioWithoutTokenOrFraming)],
    ],
  };
}
