import { create } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { duration, toDate, toSeconds, toTimestamp } from "../../src/client/index.js";
import { useServer } from "../support/server-fixture.js";

const served = useServer();

describe("duration", () => {
  it.each([
    [1800, 1800n],
    ["1800", 1800n],
    ["90s", 90n],
    ["15m", 900n],
    ["2h", 7200n],
    ["14d", 1_209_600n],
    ["1w", 604_800n],
    [0, 0n],
  ] as const)("makes %j a Duration of %i seconds", (input, seconds) => {
    expect(duration(input)).toEqual(create(DurationSchema, { seconds }));
  });

  it.each([
    [-1, /must not be negative/],
    [1.5, /fractions are not allowed/],
    ["1.5h", /fractions are not allowed/],
    ["15M", /unknown duration unit "M"/],
    [Number.NaN, /must be a duration/],
    ["soon", /must be a duration/],
    [2 ** 31, /at most 2147483647 seconds/],
  ] as const)("refuses %j with a RangeError saying why", (input, message) => {
    expect(() => duration(input)).toThrow(RangeError);
    expect(() => duration(input)).toThrow(message);
  });
});

describe("toSeconds, toDate, toTimestamp", () => {
  it("read unset values as undefined", () => {
    expect(toSeconds(undefined)).toBeUndefined();
    expect(toDate(undefined)).toBeUndefined();
  });

  it("convert both ways without loss at millisecond precision", () => {
    const date = new Date("2026-12-05T01:02:03.456Z");
    const timestamp = toTimestamp(date);
    expect(timestamp).toEqual(create(TimestampSchema, { seconds: 1_796_432_523n, nanos: 456_000_000 }));
    expect(toDate(timestamp)).toEqual(date);
    expect(toSeconds(create(DurationSchema, { seconds: 2n, nanos: 500_000_000 }))).toBe(2.5);
  });

  it("refuse an invalid date", () => {
    expect(() => toTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("work on what the service answers", async () => {
    // The service keeps whole seconds: its creation time lies between the second the call began in and the end of
    // the call, however long the call took on a busy machine.
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { session } = await served.client.createSession({ store: "strings", idleTtl: duration("15m") });
    const after = Date.now();
    expect(toSeconds(session?.idleTtl)).toBe(900);
    const created = toDate(session?.createTime)?.getTime() ?? 0;
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    expect((toDate(session?.expireTime)?.getTime() ?? 0) - created).toBe(900_000);
  });
});
