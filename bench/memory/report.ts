/** The memory suite's tables: the per-row table, zstd-dict against the other codecs, and where a packed session's bytes go. */

import type { Table } from "../support/table.js";
import type { Breakdown } from "./breakdown.js";
import type { RowResult } from "./measure-row.js";
import { layoutLabel, type RowSpec } from "./rows.js";

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

export function rowsTable(results: readonly RowResult[]): Table {
  return {
    title: "memory per session (used_memory delta over the population)",
    header: [
      "sessions",
      "size class",
      "layout",
      "listpack limits (entries/value)",
      "codec",
      ...SIZE_HEADERS,
      "sampled encodings",
      "bucket fill mean/max",
    ],
    rows: results.map((r) => [
      count(r.row.sessions),
      r.row.size.label,
      `${layoutLabel(r.row.layout)}${r.row.target ? " (target)" : ""}`,
      limitsLabel(r.row),
      r.row.codec,
      ...sizeCells(r),
      encodingsLabel(r.encodings),
      r.fill === null ? "—" : `${r.fill.mean.toFixed(1)}/${r.fill.max}`,
    ]),
  };
}

/** Rows of one population, size class, layout and listpack limits: the same store but for its codec. */
const groupOf = (row: RowSpec) =>
  `${row.sessions}|${row.size.label}|${JSON.stringify(row.layout)}|${row.limits?.raised ?? "-"}`;

/**
 * Every measured layout that has a `zstd-dict` row, with its rows of the other codecs: what the dictionary saves
 * per session against codec none on the same layout and population.
 */
export function codecsTable(results: readonly RowResult[]): Table | null {
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
  return {
    title: "zstd-dict against the other codecs on the same layout and population",
    header: ["sessions", "size class", "layout", "codec", ...SIZE_HEADERS, "B/session saved vs codec none"],
    rows,
  };
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

const explained = (d: Breakdown) => COMPONENTS.reduce((sum, [, get]) => sum + get(d), 0);

/** Packed rows (ours and the seed's) of ~200 B, codec none, raised limits: one column each. */
export function breakdownTable(results: readonly RowResult[]): Table {
  const columns = results.filter((r): r is RowResult & { breakdown: Breakdown } => r.breakdown !== null);
  const cell = (get: (r: RowResult & { breakdown: Breakdown }) => string) => columns.map(get);
  return {
    title: "where a packed ~200 B session's bytes go (256 sampled buckets per row)",
    header: ["B per session", ...columns.map((r) => rowName(r.row))],
    rows: [
      ...COMPONENTS.map(([name, get]) => [name, ...cell((r) => b(get(r.breakdown)))]),
      [
        "rest: dict table slots, dict entry rounding (by difference)",
        ...cell((r) => b(r.bytesPerSession - explained(r.breakdown))),
      ],
      ["= used_memory delta", ...cell((r) => b(r.bytesPerSession))],
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
  };
}
