import { describe, expect, it } from "vitest";
import { codecByName } from "../../src/codec/codec-registry.js";
import { CorruptRecordError, SessionTooDeepError } from "../../src/store/errors.js";
import { nestsDeeperThan } from "../../src/store/records/data-depth.js";
import { encodePayload, parseSessionJson } from "../../src/store/records/session-payload.js";
import type { JsonObject } from "../../src/store/session.js";
import { deepJson, deepJsonText, SHAPES } from "../support/deep-data.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { makeStore, readRaw, strategies, writeRaw } from "../support/store-fixture.js";

/**
 * A store's `maxDataDepth`, in the store layer: saves deeper than it are refused before anything is sent to Redis,
 * and stored sessions deeper than it read as corrupt, through the default reader.
 */

const redis = useRedis();

/** The depth of `data`, found through nestsDeeperThan alone. */
function depthOf(data: JsonObject): number {
  let depth = 1;
  while (nestsDeeperThan(data, depth)) depth++;
  return depth;
}

describe("nestsDeeperThan", () => {
  it.each([
    ["an empty object", {}, 1],
    ["an object of scalars", { a: 1, b: "x", c: null, d: true }, 1],
    ["an empty list inside", { a: [] }, 2],
    ["an empty object inside", { a: {} }, 2],
    ["a list of lists", { a: [[1], [2, [3]]] }, 4],
    ["the deepest of several branches", { a: { b: 1 }, c: [{ d: [{}] }], e: 1 }, 5],
    ["an object in a list in an object", { a: [{ b: 1 }] }, 3],
  ])("measures %s as deep as JSON counts it", (_what, data: JsonObject, depth) => {
    expect(depthOf(data)).toBe(depth);
  });

  it.each(SHAPES)("measures %s nested 1 to 60 levels", (shape) => {
    for (let depth = 1; depth <= 60; depth++) expect(depthOf(deepJson(depth, shape))).toBe(depth);
  });

  it("stops at the limit: data 100,000 levels deep neither exhausts the stack nor takes long", () => {
    expect(nestsDeeperThan(deepJson(100_000, "objects"), 32)).toBe(true);
    expect(nestsDeeperThan(deepJson(100_000, "lists"), 32)).toBe(true);
  });
});

describe("encodePayload", () => {
  const settings = {
    codec: codecByName("none"),
    compressMinBytes: 400,
    maxSessionBytes: 1 << 20,
    maxDataDepth: 8,
  };

  it("takes data as deep as maxDataDepth and refuses deeper with a SessionTooDeepError naming the limit", () => {
    for (const shape of SHAPES) {
      expect(encodePayload(deepJson(8, shape), settings).payload.toString()).toBe(
        JSON.stringify(deepJson(8, shape)),
      );
      const refusal = () => encodePayload(deepJson(9, shape), settings);
      expect(refusal).toThrow(SessionTooDeepError);
      expect(refusal).toThrow(
        "session data nests deeper than the store's limit of 8 levels of objects and lists",
      );
    }
  });

  it("refuses data too deep for JSON.stringify by its depth, not with a stack overflow", () => {
    expect(() => encodePayload(deepJson(100_000, "objects"), settings)).toThrow(SessionTooDeepError);
  });
});

describe("parseSessionJson", () => {
  it("reads JSON as deep as maxDataDepth and refuses deeper as a corrupt record", () => {
    for (const shape of SHAPES) {
      const json = Buffer.from(deepJsonText(8, shape));
      expect(parseSessionJson(json, 8)).toEqual(JSON.parse(json.toString()));
      expect(() => parseSessionJson(json, 7)).toThrow(CorruptRecordError);
      expect(() => parseSessionJson(json, 7)).toThrow("nests deeper than the store's limit of 7 levels");
    }
    expect(() => parseSessionJson(Buffer.from(deepJsonText(100_000, "objects")), 32)).toThrow(
      CorruptRecordError,
    );
  });
});

describe.each(strategies)("a %s store with maxDataDepth 8", (strategy) => {
  const setup = () => makeStore(redis, { strategy, codec: "none", maxDataDepth: 8 });

  it("saves and creates data 8 levels deep, refuses 9 (and 100,000) without writing anything", async () => {
    const { repository, config } = setup();
    for (const shape of SHAPES) {
      const data = deepJson(8, shape);
      const created = await repository.create(data);
      expect((await repository.get(created.key))?.data).toEqual(data);
      const saved = await repository.save(created.key, deepJson(8, shape));
      expect(saved.version).toBe(2);

      const before = await redisSnapshot(redis);
      for (const deep of [deepJson(9, shape), deepJson(100_000, shape)]) {
        await expect(repository.create(deep)).rejects.toThrow(SessionTooDeepError);
        await expect(repository.save(created.key, deep)).rejects.toThrow(SessionTooDeepError);
        const fresh = "ab".repeat(16);
        await expect(repository.save(fresh, deep, { condition: { kind: "mustCreate" } })).rejects.toThrow(
          SessionTooDeepError,
        );
        expect(await readRaw(redis, config, fresh)).toBeNull();
      }
      expect(await redisSnapshot(redis)).toEqual(before);
    }
  });

  it("reads a stored session deeper than its limit as corrupt, and does not rotate it", async () => {
    const { repository, config } = setup();
    const deeper = makeStore(redis, { strategy, codec: "none", maxDataDepth: 9 }).repository;
    for (const shape of SHAPES) {
      // Written where the limit was higher (an older version, or before the limit was lowered).
      const session = await deeper.create(deepJson(9, shape));
      const neighbour = await repository.create({ fine: true });
      await expect(repository.get(session.key)).rejects.toThrow(CorruptRecordError);
      await expect(repository.get(session.key, { touch: true })).rejects.toThrow(CorruptRecordError);
      expect(await repository.getMany([session.key, neighbour.key])).toEqual({
        found: [neighbour],
        missing: [],
        corrupt: [session.key],
      });
      const record = await readRaw(redis, config, session.key);
      const before = await redisSnapshot(redis);
      await expect(repository.rotate(session.key)).rejects.toThrow(CorruptRecordError);
      expect(await redisSnapshot(redis)).toEqual(before);
      expect(await readRaw(redis, config, session.key)).toEqual(record);
      // The store that wrote it still reads it: nothing about the record is wrong but its depth.
      expect((await deeper.get(session.key))?.data).toEqual(deepJson(9, shape));
    }
  });

  it("rotates with the caller's reader, given the store's limit; a reader that refuses leaves it in place", async () => {
    const { repository, config } = setup();
    const session = await repository.create({ cart: [1, 2] });
    const record = (await readRaw(redis, config, session.key)) as Buffer;
    const refuse = () => {
      throw new CorruptRecordError("refused by the reader");
    };
    await expect(repository.rotate(session.key, refuse)).rejects.toThrow("refused by the reader");
    expect(await readRaw(redis, config, session.key)).toEqual(record);

    const seen: number[] = [];
    const rotated = await repository.rotate(session.key, (json, maxDataDepth) => {
      seen.push(maxDataDepth);
      return json.toString();
    });
    expect(seen).toEqual([8]);
    expect(rotated).toEqual({ ...session, key: rotated.key, data: '{"cart":[1,2]}' });
    expect(rotated.key).not.toBe(session.key);
    expect(await readRaw(redis, config, session.key)).toBeNull();
    expect(await readRaw(redis, config, rotated.key)).toEqual(record);
  });
});

describe.each(strategies)("a record written by hand in a %s store", (strategy) => {
  it("a record written by hand deeper than the limit is corrupt; rewriting it with shallow data repairs it", async () => {
    const { repository, config } = makeStore(redis, { strategy, codec: "none" });
    const session = await repository.create({ a: 1 });
    const record = (await readRaw(redis, config, session.key)) as Buffer;
    const header = record.subarray(0, record.length - '{"a":1}'.length);
    await writeRaw(
      redis,
      config,
      session.key,
      Buffer.concat([header, Buffer.from(deepJsonText(33, "mixed"))]),
    );
    await expect(repository.get(session.key)).rejects.toThrow(CorruptRecordError);
    await repository.save(session.key, { repaired: true });
    expect((await repository.get(session.key))?.data).toEqual({ repaired: true });
  });
});
