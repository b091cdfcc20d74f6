import { mayEvict } from "../store/stats/eviction-policy.js";
import type { StoreStats } from "../store/stats/store-stats.js";

/** Rows of label and value, the labels padded to one column: `  label   value`. */
export function formatTable(rows: readonly (readonly [string, string])[], indent = "  "): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`.trimEnd()).join("\n");
}

/** `1,234,567`, or `0.39` with at most two decimals. */
export function formatNumber(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** `512 B`, `2.1 KiB`, `3.4 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `recordBytes` → `record bytes`. */
function labelOf(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Any value, readably: numbers grouped, objects as `label value` pairs. For fields this file does not know. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "unknown";
  if (typeof value === "number") return formatNumber(value);
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(formatValue).join(", ");
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "none";
    return entries.map(([key, item]) => `${labelOf(key)} ${formatValue(item)}`).join(", ");
  }
  return String(value);
}

function sessionsRow(stats: StoreStats): string {
  const scanned = stats.buckets?.scanned;
  const basis = stats.exact || scanned === undefined ? "" : ` from ${formatNumber(scanned)} sampled buckets`;
  const count = stats.exact ? formatNumber(stats.sessions) : `~${formatNumber(stats.sessions)}`;
  const notes = [stats.exact ? "exact" : `estimated${basis}`];
  if (stats.strategy === "hash") notes.push("includes expired sessions not yet swept");
  return `${count} (${notes.join("; ")})`;
}

function bucketsRow(buckets: NonNullable<StoreStats["buckets"]>): string {
  const sampled = buckets.scanned < buckets.count;
  const empty = sampled
    ? `${formatNumber(buckets.empty)} of ${formatNumber(buckets.scanned)} sampled empty`
    : `${formatNumber(buckets.empty)} empty`;
  return (
    `${formatNumber(buckets.count)} buckets: min ${formatNumber(buckets.min)}, mean ${buckets.mean.toFixed(2)}, ` +
    `max ${formatNumber(buckets.max)}; ${empty}`
  );
}

function encodingsRow(encodings: StoreStats["encodings"]): string {
  const entries = Object.entries(encodings).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return "none sampled";
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return `${entries.map(([name, count]) => `${name} ${formatNumber(count)}`).join(", ")} (of ${formatNumber(total)} sampled keys)`;
}

function recordBytesRow(record: StoreStats["recordBytes"]): string {
  if (record.sampled === 0) return "none sampled";
  return `mean ${formatNumber(record.mean)}, max ${formatNumber(record.max)} (${formatNumber(record.sampled)} sampled)`;
}

function listpackRow(limits: StoreStats["listpackLimits"]): string {
  if (limits === null) return "unknown (CONFIG GET refused)";
  return `${formatNumber(limits.entries)} entries, values up to ${formatNumber(limits.value)} bytes`;
}

function policyRow(stats: StoreStats, policy: unknown): string {
  if (typeof policy !== "string") return "unknown (INFO memory refused)";
  return mayEvict(policy, stats.strategy) ? `${policy} (may evict sessions: see advisories)` : policy;
}

/** A memory estimate such as `{ sampledKeys, bytesPerSession, totalBytes }`; anything else generically. */
function memoryRow(memory: unknown): string {
  if (memory === null || memory === undefined) return "unknown (MEMORY USAGE refused, or nothing to sample)";
  if (!isRecord(memory) || typeof memory.totalBytes !== "number") return formatValue(memory);
  const parts: string[] = [];
  if (typeof memory.bytesPerSession === "number")
    parts.push(`${formatNumber(memory.bytesPerSession)} B per session`);
  if (typeof memory.sampledKeys === "number")
    parts.push(`from ${formatNumber(memory.sampledKeys)} sampled keys`);
  return `~${formatBytes(memory.totalBytes)}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

/** Rows of the fields this file knows, by field; `exact` is shown with `sessions`, advisories as bullets. */
const KNOWN_ROWS: Record<string, (stats: StoreStats, value: unknown) => [string, string] | undefined> = {
  strategy: (stats) => ["strategy", stats.strategy],
  sessions: (stats) => ["sessions", sessionsRow(stats)],
  exact: () => undefined,
  buckets: (stats) => (stats.buckets === undefined ? undefined : ["bucket fill", bucketsRow(stats.buckets)]),
  encodings: (stats) => ["encodings", encodingsRow(stats.encodings)],
  recordBytes: (stats) => ["record bytes", recordBytesRow(stats.recordBytes)],
  listpackLimits: (stats) => ["listpack limits", listpackRow(stats.listpackLimits)],
  maxmemoryPolicy: (stats, value) => ["maxmemory policy", policyRow(stats, value)],
  memory: (_, value) => ["memory", memoryRow(value)],
  advisories: () => undefined,
};

/**
 * A store's stats as an aligned table under the store's name, then its advisories as bullet lines. Fields this
 * formatter does not know yet are shown too, generically, after the known ones.
 */
export function formatStoreStats(name: string, stats: StoreStats): string {
  const fields = new Map<string, unknown>(Object.entries(stats));
  const rows: [string, string][] = [];
  for (const [field, row] of Object.entries(KNOWN_ROWS)) {
    if (!fields.has(field)) continue;
    const made = row(stats, fields.get(field));
    if (made !== undefined) rows.push(made);
  }
  for (const [field, value] of fields) {
    if (!Object.hasOwn(KNOWN_ROWS, field)) rows.push([labelOf(field), formatValue(value)]);
  }
  const advisories =
    stats.advisories.length === 0
      ? ["  advisories: none"]
      : ["  advisories:", ...stats.advisories.map((advisory) => `    - ${advisory}`)];
  return [name, formatTable(rows), ...advisories].join("\n");
}
