/** The suite's markdown: the per-row table, where the bytes of a packed session go, and what would shrink them. */

import { FORMAT_1_BYTES } from "../../src/store/record.js";
import { markdownTable } from "../support/harness.js";
import { SEED_HEADER_BYTES } from "./baselines.js";
import type { Breakdown } from "./breakdown.js";
import type { RowResult } from "./measure-row.js";
import { layoutLabel, type RowSpec, suitableBits } from "./rows.js";

const b = (n: number) => n.toFixed(1);
const count = (n: number) => n.toLocaleString("en-US");

/** What a session costs beyond its JSON: "overhead" in the targets; negative when compression saves more. */
export const overheadVsJson = (r: RowResult) => r.bytesPerSession - r.jsonBytes;
/** What a session costs beyond its payload as stored: header, field, encoding, rounding, bucket or key. */
export const overheadVsStored = (r: RowResult) => r.bytesPerSession - r.storedBytes;

/** The size columns every row table shares: JSON, stored payload, bytes per session, and both overheads. */
const SIZE_HEADERS = [
  "JSON B",
  "stored payload B",
  "used_memory B/session",
  "overhead vs JSON B",
  "overhead beyond stored payload B",
];

/** The cells of {@link SIZE_HEADERS} for one row. */
const sizeCells = (r: RowResult) => [
  b(r.jsonBytes),
  b(r.storedBytes),
  b(r.bytesPerSession),
  b(overheadVsJson(r)),
  b(overheadVsStored(r)),
];

function limitsLabel(row: RowSpec): string {
  if (row.limits === null) return "—";
  const { raised, values } = row.limits;
  return `${raised ? "raised" : "default"} ${values.entries}/${values.value}`;
}

function encodingsLabel(encodings: Readonly<Record<string, number>>): string {
  return Object.entries(encodings)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
}

/** A short name for a row in column headers and prose. */
export function rowName(row: RowSpec): string {
  return `${layoutLabel(row.layout)}, ${count(row.sessions)} × ${row.size.label}`;
}

export function rowsTable(results: readonly RowResult[]): string {
  return markdownTable(
    [
      "sessions",
      "size class",
      "layout",
      "listpack limits (entries/value)",
      "codec",
      ...SIZE_HEADERS,
      "sampled encodings",
      "bucket fill mean/max",
    ],
    results.map((r) => [
      count(r.row.sessions),
      r.row.size.label,
      `${layoutLabel(r.row.layout)}${r.row.target ? " **(target)**" : ""}`,
      limitsLabel(r.row),
      r.row.codec,
      ...sizeCells(r),
      encodingsLabel(r.encodings),
      r.fill === null ? "—" : `${r.fill.mean.toFixed(1)}/${r.fill.max}`,
    ]),
  );
}

/** Rows of one population, size class, layout and listpack limits: the same store but for its codec. */
const groupOf = (row: RowSpec) =>
  `${row.sessions}|${row.size.label}|${JSON.stringify(row.layout)}|${row.limits?.raised ?? "-"}`;

/**
 * Every measured layout that has a `zstd-dict` row, with its rows of the other codecs: what the dictionary saves
 * per session against codec none on the same layout and population.
 */
export function codecsTable(results: readonly RowResult[]): string | null {
  const groups = new Set(results.filter((r) => r.row.codec === "zstd-dict").map((r) => groupOf(r.row)));
  if (groups.size === 0) return null;
  const rows = [...groups].flatMap((group) => {
    const members = results.filter((r) => groupOf(r.row) === group);
    const none = members.find((r) => r.row.codec === "none");
    return members.map((r) => [
      count(r.row.sessions),
      r.row.size.label,
      `${layoutLabel(r.row.layout)}${r.row.limits === null ? "" : `, ${r.row.limits.raised ? "raised" : "default"} limits`}`,
      r.row.codec,
      ...sizeCells(r),
      none === undefined || none === r
        ? "—"
        : `${b(none.bytesPerSession - r.bytesPerSession)} (${((100 * (none.bytesPerSession - r.bytesPerSession)) / none.bytesPerSession).toFixed(0)}%)`,
    ]);
  });
  return markdownTable(
    ["sessions", "size class", "layout", "codec", ...SIZE_HEADERS, "B/session saved vs codec none"],
    rows,
  );
}

/** The breakdown's components, in the order they are added up. */
const COMPONENTS: readonly [string, (d: Breakdown) => number][] = [
  ["JSON payload", (d) => d.payload],
  ["record header", (d) => d.header],
  ["field (key bytes not in the bucket name)", (d) => d.field],
  ["listpack entry headers + back-lengths (2 per session)", (d) => d.entryEncoding],
  ["listpack header + end byte (7 B per bucket)", (d) => d.listpackFixed],
  ["jemalloc size-class rounding of the listpack", (d) => d.rounding],
  ["bucket key: robj + name + dict entry (as MEMORY USAGE counts)", (d) => d.bucketKey],
];

const fieldLabel = (saved: number) =>
  saved === 0 ? "unchanged" : saved > 0 ? `−${saved} B` : `+${-saved} B`;

const explained = (d: Breakdown) => COMPONENTS.reduce((sum, [, get]) => sum + get(d), 0);

/** Packed rows (ours and the seed's) of ~200 B, codec none, raised limits: one column each. */
export function breakdownTable(results: readonly RowResult[]): string {
  const columns = results.filter((r): r is RowResult & { breakdown: Breakdown } => r.breakdown !== null);
  const cell = (get: (r: RowResult & { breakdown: Breakdown }) => string) => columns.map(get);
  return markdownTable(
    ["B per session", ...columns.map((r) => rowName(r.row))],
    [
      ...COMPONENTS.map(([name, get]) => [name, ...cell((r) => b(get(r.breakdown)))]),
      [
        "rest: dict table slots, dict entry rounding (by difference)",
        ...cell((r) => b(r.bytesPerSession - explained(r.breakdown))),
      ],
      ["**= used_memory delta**", ...cell((r) => `**${b(r.bytesPerSession)}**`)],
      ["overhead (delta − JSON)", ...cell((r) => b(overheadVsJson(r)))],
      [
        "rounding as % of the listpack",
        ...cell((r) => `${((100 * r.breakdown.rounding) / r.breakdown.listpackAllocated).toFixed(1)}%`),
      ],
      [
        "sampled buckets (sessions); model mismatches",
        ...cell(
          (r) =>
            `${r.breakdown.sampledBuckets} (${r.breakdown.sampledSessions}); ${r.breakdown.modelMismatches}`,
        ),
      ],
    ],
  );
}

/** Expected overhead of the target row under each proposal, from its own sampled buckets. */
export function proposalsTable(target: RowResult & { breakdown: Breakdown }): string {
  const d = target.breakdown;
  const now = overheadVsJson(target);
  const header = (bytes: number) => d.headerSavings[bytes] ?? Number.NaN;
  // What a bucket costs beyond its sessions' entries, per session: it scales with the number of buckets.
  const perBucket = d.bucketKey + d.listpackFixed + (target.bytesPerSession - explained(d));
  const bits = target.row.layout.kind === "hash" ? target.row.layout.bits : 16;
  const fieldAt = (newBits: number) => Math.floor(newBits / 8) - Math.floor(bits / 8);
  const rebucket = (newBits: number) => perBucket * (1 - 2 ** (newBits - bits)) + fieldAt(newBits);
  const rows: (string | number)[][] = [
    [
      `record format 1's 14-byte header instead of today's ${b(d.header)} B (a negative saving: its cost)`,
      b(header(FORMAT_1_BYTES)),
      b(now - header(FORMAT_1_BYTES)),
    ],
    [
      `header → ${SEED_HEADER_BYTES} B (the seed's: expiry + flag; no versions, so no compare-and-set): a floor, not a proposal`,
      b(header(SEED_HEADER_BYTES)),
      b(now - header(SEED_HEADER_BYTES)),
    ],
  ];
  for (const newBits of [bits - 2, bits + 2]) {
    rows.push([
      `bucketBits ${newBits} instead of ${bits} (modelled: ${newBits > bits ? "4× the" : "¼ of the"} bucket costs, field ${fieldLabel(fieldAt(newBits))})`,
      b(rebucket(newBits)),
      b(now - rebucket(newBits)),
    ]);
  }
  return markdownTable(["change (target row)", "saves B/session", "expected overhead"], rows);
}

/**
 * Which bucket bits suit each population, by the ~64-sessions-per-bucket rule of `suitableBits`, and the nearest
 * of the bits measured at that population.
 */
export function bitsNote(results: readonly RowResult[]): string {
  const populations = [...new Set(results.map((r) => r.row.sessions))];
  return populations
    .map((n) => {
      const bits = suitableBits(n);
      const measured = [
        ...new Set(
          results.flatMap((r) =>
            r.row.sessions === n && r.row.layout.kind === "hash" ? [r.row.layout.bits] : [],
          ),
        ),
      ];
      const nearest = measured.sort((x, y) => Math.abs(x - bits) - Math.abs(y - bits) || x - y)[0];
      const note = nearest === undefined || nearest === bits ? "" : `; of those measured, ${nearest}`;
      return `${count(n)} sessions → ${bits} bits (${(n / 2 ** bits).toFixed(0)} per bucket${note})`;
    })
    .join("; ");
}

const signed = (n: number) => `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(1)}`;

type Broken = RowResult & { breakdown: Breakdown };

/** The seed's layout against the target row, component by component (seed minus ours). */
export function seedComparison(ours: Broken, seed: Broken): string {
  const buckets = (r: Broken) =>
    r.breakdown.bucketKey + r.breakdown.listpackFixed + (r.bytesPerSession - explained(r.breakdown));
  const o = ours.breakdown;
  const s = seed.breakdown;
  return (
    `The seed's layout at the same population: ${b(overheadVsJson(seed))} B of overhead against our ` +
    `${b(overheadVsJson(ours))} B. Seed minus ours: header ${signed(s.header - o.header)} B, field ` +
    `${signed(s.field - o.field)} B, bucket and dictionary costs ${signed(buckets(seed) - buckets(ours))} B ` +
    `(2^16 buckets), jemalloc rounding ${signed(s.rounding - o.rounding)} B, payload sample ` +
    `${signed(s.payload - o.payload)} B.`
  );
}
