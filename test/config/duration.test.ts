import { describe, expect, it } from "vitest";
import {
  durationSeconds,
  formatDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
} from "../../src/config/index.js";

describe("parseDuration", () => {
  it.each([
    [0, 0],
    [3600, 3600],
    [MAX_DURATION_SECONDS, MAX_DURATION_SECONDS],
    ["0", 0],
    ["3600", 3600],
    ["90s", 90],
    ["15m", 900],
    ["2h", 7200],
    ["14d", 1_209_600],
    ["1w", 604_800],
    ["14 d", 1_209_600],
    [" 30d ", 2_592_000],
    ["007m", 420],
  ] as const)("reads %j as %i seconds", (input, seconds) => {
    expect(parseDuration(input)).toEqual({ ok: true, seconds });
  });

  it.each([
    [-1, "must not be negative"],
    ["-5m", "must not be negative"],
    [1.5, "fractions are not allowed"],
    ["1.5h", "fractions are not allowed"],
    [".5d", "fractions are not allowed"],
    ["2.0", "fractions are not allowed"],
    ["5y", 'unknown duration unit "y"'],
    ["3mo", 'unknown duration unit "mo"'],
    ["14D", 'unknown duration unit "D"'],
    ["10ms", 'unknown duration unit "ms"'],
    ["5constructor", 'unknown duration unit "constructor"'],
    ["5toString", 'unknown duration unit "toString"'],
    ["", "must be a duration"],
    ["d", "must be a duration"],
    ["1h30m", "must be a duration"],
    ["+5", "must be a duration"],
    ["1e3", "must be a duration"],
    [Number.NaN, "must be a duration"],
    [Number.POSITIVE_INFINITY, "must be a duration"],
  ] as const)("rejects %j: %s", (input, message) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("turns -0 into 0", () => {
    expect(parseDuration(-0)).toEqual({ ok: true, seconds: 0 });
    expect(Object.is((parseDuration(-0) as { seconds: number }).seconds, 0)).toBe(true);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [1, "1s"],
    [61, "61s"],
    [5400, "90m"],
    [7200, "2h"],
    [1_209_600, "14d"],
    [2_592_000, "30d"],
  ])("formats %i as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("durationSeconds", () => {
  const ttl = durationSeconds({ min: 1, max: MAX_DURATION_SECONDS });

  it("outputs integer seconds", () => {
    expect(ttl.parse("2h")).toBe(7200);
    expect(ttl.parse(5)).toBe(5);
  });

  it.each([
    [0, "must be at least 1 second"],
    ["0s", "must be at least 1 second"],
    [MAX_DURATION_SECONDS + 1, "must be at most 2147483647 seconds (about 68 years)"],
    ["99999999999999999999999d", "must be at most 2147483647 seconds"],
    [true, "must be a duration"],
    [null, "must be a duration"],
    [{ days: 1 }, "must be a duration"],
    ["5y", 'unknown duration unit "y"'],
  ])("reports %j as one issue on the field: %s", (input, message) => {
    const result = ttl.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual([]);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it("names the lower bound with its unit when it is more than a second", () => {
    const atLeastAMinute = durationSeconds({ min: 60, max: 3600 });
    expect(atLeastAMinute.safeParse("59s").error?.issues[0]?.message).toBe(
      "must be at least 60 seconds (1m)",
    );
    expect(atLeastAMinute.safeParse("2h").error?.issues[0]?.message).toBe(
      "must be at most 3600 seconds (1h)",
    );
  });
});
