/**
 * Durations as people write them ("90s", "15m", "14d", or whole seconds), shared by the server's configuration
 * and the client's `duration()` helper, so that both accept exactly the same forms. Free of dependencies: the
 * client package compiles this file too.
 */

/**
 * The largest duration the configuration accepts, in seconds: 2^31-1 (about 68 years).
 *
 * TTLs end up in Redis `EXPIRE` calls and in clients written in other languages; keeping them within a signed
 * 32-bit integer means no client or language on the other side has to care about overflow.
 */
export const MAX_DURATION_SECONDS = 2 ** 31 - 1;

/**
 * Seconds per duration unit. Months and years are left out on purpose: they have no fixed length. A Map, not an
 * object literal, so that a unit such as `constructor` finds nothing instead of an inherited property.
 */
const unitSeconds: ReadonlyMap<string, number> = new Map([
  ["s", 1],
  ["m", 60],
  ["h", 3600],
  ["d", 86_400],
  ["w", 604_800],
]);

/** Describes every accepted form; used whenever the input is not recognisably a duration. */
export const DURATION_FORMS =
  'must be a duration: whole seconds (e.g. 3600) or a string such as "90s", "15m", "2h", "14d" or "1w"';

// Loose on purpose (a minus sign, fractions, any letters) so that near misses get a specific message below
// instead of the generic one.
const DURATION_SHAPE = /^(-?)(\d+|\d*\.\d+)\s*([A-Za-z]*)$/;

const FRACTION_MESSAGE =
  'must be a whole number; fractions are not allowed (write "90m" rather than "1.5h", or give seconds)';

/** What {@link parseDuration} returns: the duration in seconds, or why the input is not a duration. */
export type DurationResult = { ok: true; seconds: number } | { ok: false; message: string };

/**
 * Parses a duration as written in configuration into whole seconds.
 *
 * Accepts a non-negative integer number of seconds (`3600`), the same as a string (`"3600"`), or an integer
 * followed (optionally after a space) by one unit: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks
 * (`"90s"`, `"15m"`, `"14d"`). Units are case-sensitive so that `M` can never be mistaken for months. Rejects negative numbers, fractions
 * (`"1.5h"`: write `"90m"`) and unknown units, each with a message saying which. Does not check bounds.
 */
export function parseDuration(value: number | string): DurationResult {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return { ok: false, message: DURATION_FORMS };
    if (value < 0) return { ok: false, message: "must not be negative" };
    if (!Number.isInteger(value)) return { ok: false, message: FRACTION_MESSAGE };
    return { ok: true, seconds: value + 0 }; // `+ 0` turns -0 into 0
  }
  const match = DURATION_SHAPE.exec(value.trim());
  if (match === null) return { ok: false, message: DURATION_FORMS };
  const [, sign = "", amount = "", unit = ""] = match;
  if (sign === "-") return { ok: false, message: "must not be negative" };
  if (amount.includes(".")) return { ok: false, message: FRACTION_MESSAGE };
  const factor = unit === "" ? 1 : unitSeconds.get(unit);
  if (factor === undefined) {
    return { ok: false, message: `has unknown duration unit "${unit}"; use s, m, h, d or w (e.g. "14d")` };
  }
  // A huge digit string may exceed 2^53 and lose precision; that is fine, it is far beyond any bound we check.
  return { ok: true, seconds: Number(amount) * factor };
}

/**
 * Formats whole seconds with the largest unit that divides them exactly, for messages and logs:
 * `1209600` → `"14d"`, `5400` → `"90m"`, `61` → `"61s"`. Weeks are not used: `14d` reads better than `2w`.
 */
export function formatDuration(seconds: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    const size = unitSeconds.get(unit) ?? 1;
    if (seconds !== 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
