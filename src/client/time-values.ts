import { create } from "@bufbuild/protobuf";
import {
  type Duration,
  DurationSchema,
  type Timestamp,
  timestampDate,
  timestampFromDate,
} from "@bufbuild/protobuf/wkt";
import { MAX_DURATION_SECONDS, parseDuration } from "../common/duration-text.js";

/**
 * Conversions between the contract's well-known types and what TypeScript code holds: `Date` for a
 * `google.protobuf.Timestamp` (a session's `expireTime`, `createTime`), and whole seconds or a short text such as
 * `"15m"` for a `google.protobuf.Duration` (every `idleTtl`). The text forms are the server configuration's, parsed
 * by the same code.
 */

/**
 * A Timestamp as a `Date` (millisecond precision; the service's times are whole seconds), or `undefined` for an
 * unset one, so that `toDate(session.createTime)` needs no check first.
 */
export function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp === undefined ? undefined : timestampDate(timestamp);
}

/**
 * A `Date` as a Timestamp.
 *
 * @throws RangeError for an invalid date (`new Date(NaN)`).
 */
export function toTimestamp(date: Date): Timestamp {
  if (Number.isNaN(date.getTime())) throw new RangeError("toTimestamp: the date is invalid");
  return timestampFromDate(date);
}

/**
 * A Duration of whole seconds, from a number of seconds (`3600`) or a text with one unit: `s`, `m`, `h`, `d` or
 * `w` (`"90s"`, `"15m"`, `"2h"`, `"14d"`, `"1w"`). For every `idleTtl`:
 * `client.touchSession({ key, idleTtl: duration("30m") })`. Whether the service accepts it (at least 1 second, at
 * most the store's `maxTtl`) is the service's to say.
 *
 * @throws RangeError for a negative, fractional or non-finite number, a text in another form (`"1.5h"`: write
 *   `"90m"`), or more than 2^31 - 1 seconds.
 */
export function duration(value: number | string): Duration {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new RangeError(`duration ${JSON.stringify(value)} ${parsed.message}`);
  if (parsed.seconds > MAX_DURATION_SECONDS) {
    throw new RangeError(`duration ${JSON.stringify(value)} must be at most ${MAX_DURATION_SECONDS} seconds`);
  }
  return create(DurationSchema, { seconds: BigInt(parsed.seconds) });
}

/**
 * A Duration in seconds, as a number (fractions from its nanos), or `undefined` for an unset one:
 * `toSeconds(session.idleTtl) === 1800`.
 */
export function toSeconds(value: Duration | undefined): number | undefined {
  return value === undefined ? undefined : Number(value.seconds) + value.nanos / 1e9;
}
