import { ErrorReply } from "redis";
import { describe, expect, it } from "vitest";
import { BackendFullError } from "../../src/store/errors.js";
import {
  FULL_REDIS_LOG_INTERVAL_MS,
  FULL_REDIS_MESSAGE,
  FullRedisReporter,
} from "../../src/store/redis/full-redis-reporter.js";
import { toStoreError } from "../../src/store/redis/redis-errors.js";
import { TestClock } from "../support/store-fixture.js";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** A reporter for store `s` with a clock the test moves, and what it logged and counted. */
function reporter() {
  const clock = new TestClock();
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const counted: string[] = [];
  const made = new FullRedisReporter(
    "s",
    { warn: (fields, message) => lines.push({ fields, message }) },
    { backendFull: (store) => counted.push(store) },
    clock.now,
  );
  const refuse = (times = 1) => {
    for (let i = 0; i < times; i++)
      made.refused(new BackendFullError("full", { cause: new ErrorReply(OOM) }));
  };
  return { clock, lines, counted, refuse };
}

describe("a full Redis", () => {
  it("is recognised by the OOM error code, from a command or from inside a script", () => {
    for (const reply of [
      OOM,
      `${OOM} script: 8b7ae4722c268b15ddbdad84e348b6cbc42e2102, on @user_script:9.`,
      "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
    ]) {
      const error = toStoreError(new ErrorReply(reply));
      expect(error, reply).toBeInstanceOf(BackendFullError);
      // The caller's message names the condition, not Redis' words.
      expect(error.message).not.toContain("script");
    }
    // Only the code decides: the same words after another code are not a full Redis.
    expect(toStoreError(new ErrorReply(`ERR ${OOM}`))).not.toBeInstanceOf(BackendFullError);
  });
});

describe("FullRedisReporter", () => {
  it("counts every refusal and logs one line per interval, saying how many refusals it stands for", () => {
    const { clock, lines, counted, refuse } = reporter();
    refuse();
    expect(lines).toEqual([
      {
        message: FULL_REDIS_MESSAGE,
        fields: {
          store: "s",
          refusals: 1,
          intervalSeconds: FULL_REDIS_LOG_INTERVAL_MS / 1000,
          redisReply: OOM,
        },
      },
    ]);
    refuse(99);
    clock.ms += FULL_REDIS_LOG_INTERVAL_MS - 1;
    refuse();
    expect(lines).toHaveLength(1);
    clock.ms += 1;
    refuse();
    expect(lines).toHaveLength(2);
    // The 100 refusals held back, and the one that ended the interval.
    expect(lines[1]?.fields.refusals).toBe(101);
    expect(counted).toHaveLength(102);
    expect(new Set(counted)).toEqual(new Set(["s"]));
  });

  it("never logs a stack trace or an error object", () => {
    const { lines, refuse } = reporter();
    refuse();
    const values = Object.values(lines[0]?.fields ?? {});
    expect(values.every((value) => typeof value === "string" || typeof value === "number")).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/\bat \S+ \(|stack/);
  });

  it("logs again at once when the clock goes back, rather than staying silent until it catches up", () => {
    const { clock, lines, refuse } = reporter();
    refuse();
    clock.ms -= 3_600_000;
    refuse();
    expect(lines.map((line) => line.fields.refusals)).toEqual([1, 1]);
  });
});
