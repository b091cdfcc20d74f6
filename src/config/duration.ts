import { z } from "zod";
import {
  DURATION_FORMS,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
} from "../common/duration-text.js";

export {
  type DurationResult,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
} from "../common/duration-text.js";

/** Inclusive bounds for {@link durationSeconds}, in seconds. */
export interface DurationBounds {
  /** Smallest accepted duration in seconds (0 allows zero). */
  min: number;
  /** Largest accepted duration in seconds; at most {@link MAX_DURATION_SECONDS}. */
  max: number;
}

/**
 * A zod schema for a duration field: accepts what {@link parseDuration} accepts, outputs integer seconds within
 * `bounds`. Every failure is reported as one issue on the field itself.
 */
export function durationSeconds(bounds: DurationBounds) {
  return z.union([z.number(), z.string()], { error: DURATION_FORMS }).transform((value, ctx): number => {
    const result = parseDuration(value);
    const problem = result.ok ? outOfBounds(result.seconds, bounds) : result.message;
    if (result.ok && problem === undefined) return result.seconds;
    ctx.addIssue({ code: "custom", message: problem ?? DURATION_FORMS, input: value });
    return z.NEVER;
  });
}

function outOfBounds(seconds: number, bounds: DurationBounds): string | undefined {
  if (seconds < bounds.min) return `must be at least ${describeSeconds(bounds.min)}`;
  if (seconds > bounds.max) return `must be at most ${describeSeconds(bounds.max)}`;
  return undefined;
}

function describeSeconds(seconds: number): string {
  if (seconds === MAX_DURATION_SECONDS) return `${seconds} seconds (about 68 years)`;
  return seconds === 1 ? "1 second" : `${seconds} seconds (${formatDuration(seconds)})`;
}
