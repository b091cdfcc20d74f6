/** The suite's markdown tables, from the figures alone (no measuring here). */
import { markdownTable } from "../support/harness.js";
import type { Limits, SweepBucket, TierThreshold } from "./analysis.js";
import type { Cell, Tier } from "./measure.js";
import type { Variant } from "./variants.js";

/** µs with as many decimals as a noisy median deserves. */
export function us(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export const bytes = (value: number) => `${Math.round(value)} B`;
export const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;

export function tierName(tier: number): string {
  return tier >= 1024 ? `~${tier / 1024} KB` : `~${tier} B`;
}

/** A row label: shipped settings in bold, so no one mistakes which is which. */
function rowLabel(variant: Variant): string {
  if (variant.shipped)
    return variant.label === "none" ? "**none** (shipped)" : `**${variant.label}** (shipped)`;
  return variant.label;
}

export function corpusTable(tiers: readonly Tier[]): string {
  return markdownTable(
    ["tier", "sessions", "mean JSON", "min–max JSON", "CSRF token chars ÷ JSON"],
    tiers.map(({ bytes: tier, inputs }) => {
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
  );
}

/** One table of variants × tiers showing `value` of each cell. */
export function variantTable(
  variants: readonly Variant[],
  tiers: readonly Tier[],
  cells: readonly Cell[],
  value: (cell: Cell) => string,
): string {
  return markdownTable(
    ["codec", ...tiers.map(({ bytes: tier }) => tierName(tier))],
    variants.map((variant) => [
      rowLabel(variant),
      ...tiers.map(({ bytes: tier }) => {
        const cell = cells.find((c) => c.variant === variant.label && c.tier === tier);
        return cell === undefined ? "–" : value(cell);
      }),
    ]),
  );
}

export function thresholdTable(rows: readonly TierThreshold[]): string {
  return markdownTable(
    [
      "tier",
      "mean JSON",
      "record, plain",
      "record, zstd",
      "saved per record",
      "sessions shrunk",
      "extra CPU per write",
      "extra CPU per read",
      "CPU (write + read) per KiB saved",
    ],
    rows.map((row) => [
      tierName(row.tier),
      bytes(row.meanJsonBytes),
      bytes(row.plainRecordBytes),
      bytes(row.zstdRecordBytes),
      `${bytes(row.savedBytes)} (${percent(row.savedShare)})`,
      percent(row.compressedShare),
      `${us(row.writeExtraUs)} µs`,
      `${us(row.readExtraUs)} µs`,
      `${us(((row.writeExtraUs + row.readExtraUs) / row.savedBytes) * 1024)} µs`,
    ]),
  );
}

export function sweepTable(buckets: readonly SweepBucket[]): string {
  return markdownTable(
    ["JSON size", "sessions", "mean JSON", "saved per record (zstd)", "sessions shrunk"],
    buckets.map((bucket) => [
      `${bucket.from}–${bucket.to - 1} B`,
      bucket.sessions,
      bytes(bucket.meanJsonBytes),
      `${bytes(bucket.savedBytes)} (${percent(bucket.savedShare)})`,
      percent(bucket.compressedShare),
    ]),
  );
}

export function limitsTable(
  limits: Limits,
  target: number,
  dictionary: Cell | undefined,
  best: Cell,
): string {
  const rows: (readonly string[])[] = [
    ["mean JSON", bytes(limits.meanJsonBytes)],
    ["mean zstd 3 payload (shipped)", `${bytes(limits.zstdBytes)} (${times(limits.ratio)})`],
    [`payload a ${target}× ratio needs`, bytes(limits.payloadForTarget)],
    ["zstd framing per payload (magic, header, block header, 4-byte checksum)", bytes(limits.framingBytes)],
    ["compressed bytes the CSRF token costs (32 random bytes as 43 chars)", bytes(limits.tokenCostBytes)],
    [
      "zstd 3 ratio on the rest (token emptied, framing not counted)",
      times(limits.ratioWithoutTokenOrFraming),
    ],
    [
      `best per-record codec measured (${best.variant})`,
      `${bytes(best.meanStoredBytes)} (${times(best.ratio)})`,
    ],
  ];
  if (dictionary !== undefined) {
    rows.push([`${dictionary.variant}`, `${bytes(dictionary.meanStoredBytes)} (${times(dictionary.ratio)})`]);
  }
  return markdownTable(["~1 KB sessions", "figure"], rows);
}
