import { describe, expect, it } from "vitest";
import { RateLimitedWarning, WARNING_INTERVAL_MS } from "../../src/server/rate-limited-warning.js";
import { TestClock } from "../support/store-fixture.js";

/** A warning with a clock the test moves, and what it logged. */
function warning(logger?: { warn(fields: Record<string, unknown>, message: string): void }) {
  const clock = new TestClock();
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const made = new RateLimitedWarning(
    logger ?? { warn: (fields, message) => lines.push({ fields, message }) },
    "too many things",
    { setting: "server.x" },
    clock.now,
  );
  const occur = (times = 1) => {
    for (let i = 0; i < times; i++) made.occurred();
  };
  return { clock, lines, occur };
}

describe("RateLimitedWarning", () => {
  it("logs the first occurrence at once, then one line per interval with the count it stands for", () => {
    const { clock, lines, occur } = warning();
    occur();
    expect(lines).toEqual([
      {
        message: "too many things",
        fields: { setting: "server.x", count: 1, intervalSeconds: WARNING_INTERVAL_MS / 1000 },
      },
    ]);
    occur(99);
    clock.ms += WARNING_INTERVAL_MS - 1;
    occur();
    expect(lines).toHaveLength(1);
    clock.ms += 1;
    occur();
    // The 100 held back, and the one that ended the interval.
    expect(lines.map((line) => line.fields.count)).toEqual([1, 101]);
  });

  it("logs again at once when the clock goes back, rather than staying silent until it catches up", () => {
    const { clock, lines, occur } = warning();
    occur();
    clock.ms -= 3_600_000;
    occur();
    expect(lines.map((line) => line.fields.count)).toEqual([1, 1]);
  });

  it("never throws, even when the logger does", () => {
    const { occur } = warning({
      warn: () => {
        throw new Error("disk full");
      },
    });
    expect(() => occur(3)).not.toThrow();
  });
});
