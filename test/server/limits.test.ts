import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { useServer } from "../support/server-fixture.js";

const redis = useRedis();
const served = useServer({ server: { maxMessageBytes: 64 * 1024 } });
const defaults = useServer();

describe("limits and odd input", () => {
  it("refuses a request over maxMessageBytes with RESOURCE_EXHAUSTED", async () => {
    const error = await failureOf(
      served.client.createSession({ content: { case: "data", value: { blob: "x".repeat(100 * 1024) } } }),
    );
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("refuses a request over the default 4 MiB before reading it, and reads one just under it", async () => {
    const MiB = 1024 * 1024;
    const over = await failureOf(
      defaults.client.createSession({ content: { case: "data", value: { blob: "x".repeat(4 * MiB) } } }),
    );
    expect(over.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(over.details).toMatch(/larger than max/);
    // Just under the message limit the request is read, and refused by the store's own size limit instead (before
    // its data is decoded: the string alone is more than the limit).
    const under = await failureOf(
      defaults.client.createSession({ content: { case: "data", value: { blob: "x".repeat(4 * MiB - 64) } } }),
    );
    expect(under.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(under.details).toMatch(/session data is at least \d+ bytes, over the store's limit of 4096 bytes/);
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("answers INTERNAL, without the cause, when Redis refuses a command (a foreign key where a bucket is)", async () => {
    const key = randomBytes(16).toString("hex");
    const { session } = await served.client.createSession({ store: "strings" });
    // Overwrite the default (hash) store's bucket of `key` with a String: HGET then fails with WRONGTYPE.
    const bucket = Buffer.concat([Buffer.from("default:"), Buffer.from(key, "hex").subarray(0, 1)]);
    await redis.raw("SET", bucket, "not a hash");
    const error = await failureOf(served.client.getSession({ key }));
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).not.toMatch(/WRONGTYPE|hash/i);
    // Other stores and other buckets keep working.
    expect((await served.client.getSession({ store: "strings", key: session?.key ?? "" })).session?.key).toBe(
      session?.key,
    );
  });

  it("stores a Struct with every JSON kind exactly", async () => {
    const data = {
      s: "é✓",
      n: -1.5,
      b: false,
      z: null,
      list: [1, "two", { three: [true] }],
      nested: { deep: {} },
    };
    const { session } = await served.client.createSession({ content: { case: "data", value: data } });
    expect((await served.client.getSession({ key: session?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: data,
    });
  });
});
