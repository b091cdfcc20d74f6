import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import { InvalidArgumentError, RequestIdReusedError } from "../../src/store/errors.js";
import { parseSessionJson } from "../../src/store/records/session-payload.js";
import { createDigest } from "../../src/store/requests/request-id.js";
import { JsonText } from "../../src/store/session.js";
import { useRedis } from "../support/redis-fixture.js";
import {
  newRequestId,
  readRequestRecord,
  requestRecordKeyOf,
  requestRecordKeys,
  storedSessionCount,
  writePendingRecord,
} from "../support/request-records.js";
import { makeStore, readRaw, storeConfig, strategies } from "../support/store-fixture.js";

/**
 * CreateSession with a request id (AIP-155), at the repository: a repeat answers the first result and never
 * stores a second session, whatever order attempts run in and wherever an earlier one stopped.
 */

const redis = useRedis();

const REQUEST_ID_TTL = 60;

describe.each(strategies)("create with a request id, %s strategy", (strategy) => {
  const settings = { strategy, bucketBits: 8, requestIdTtl: REQUEST_ID_TTL };

  it("answers a repeat with the first key, version and times, and stores one session", async () => {
    const { repository, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create({ user: 7 }, { ttl: 600, requestId });
    const repeat = await repository.create({ user: 7 }, { ttl: 600, requestId });
    expect(repeat).toEqual(first);
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect((await repository.get(first.key))?.data).toEqual({ user: 7 });

    const record = await readRequestRecord(redis, config, requestId);
    expect(record).toMatchObject({ kind: "create", done: true, key: first.key });
    expect(record?.answer).toEqual([1, 0, first.expiresAt.getTime() / 1000, 600]);
    const pttl = Number(await redis.raw("PTTL", requestRecordKeyOf(config, requestId)));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(REQUEST_ID_TTL * 1000);
  });

  it("answers the first answer even after the session changed or went, and recreates nothing", async () => {
    const { repository, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create({ step: 1 }, { requestId });
    await repository.save(first.key, { step: 2 }, { condition: { kind: "mustExist" } });
    expect(await repository.create({ step: 1 }, { requestId })).toMatchObject({ key: first.key, version: 1 });

    await repository.delete(first.key);
    expect(await repository.create({ step: 1 }, { requestId })).toMatchObject({ key: first.key, version: 1 });
    expect(await repository.get(first.key)).toBeNull();
    expect(await storedSessionCount(redis, config)).toBe(0);
  });

  it("takes a Struct by its content, whatever order its keys come in", async () => {
    const { repository, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { requestId });
    const repeat = await repository.create({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }, { requestId });
    expect(repeat.key).toBe(first.key);
    expect(await storedSessionCount(redis, config)).toBe(1);
  });

  it.each([
    ["other data", { n: 2 }, { ttl: 600 }],
    ["the same data reordered inside a list", { n: 1, list: [2, 1] }, { ttl: 600 }],
    ["no TTL where the first named one", { n: 1, list: [1, 2] }, {}],
    ["another TTL", { n: 1, list: [1, 2] }, { ttl: 601 }],
  ])("refuses the id back with %s, writing nothing", async (_, data, options) => {
    const { repository, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create({ n: 1, list: [1, 2] }, { ttl: 600, requestId });
    const before = await readRequestRecord(redis, config, requestId);
    await expect(repository.create(data, { ...options, requestId })).rejects.toBeInstanceOf(
      RequestIdReusedError,
    );
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect(await readRequestRecord(redis, config, requestId)).toEqual(before);
    expect(await repository.get(first.key)).toMatchObject({ data: { n: 1, list: [1, 2] } });
  });

  it("takes JSON text as written: the same text is the same request, other spacing is another", async () => {
    const { repository } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create(new JsonText('{"id":9007199254740993}'), { requestId });
    const repeat = await repository.create(new JsonText('{"id":9007199254740993}'), { requestId });
    expect(repeat.key).toBe(first.key);
    await expect(
      repository.create(new JsonText('{"id": 9007199254740993}'), { requestId }),
    ).rejects.toBeInstanceOf(RequestIdReusedError);
  });

  it("refuses a create's id back on a rotation, moving nothing", async () => {
    const { repository } = makeStore(redis, settings);
    const requestId = newRequestId();
    const created = await repository.create({}, { requestId });
    await expect(repository.rotate(created.key, parseSessionJson, { requestId })).rejects.toBeInstanceOf(
      RequestIdReusedError,
    );
    expect(await repository.get(created.key)).not.toBeNull();
  });

  it("remembers an id per store: the same id in another store is another request there", async () => {
    const one = makeStore(redis, settings);
    const other = makeStore(redis, { ...settings, prefix: "u:" });
    const requestId = newRequestId();
    const inOne = await one.repository.create({ n: 1 }, { requestId });
    const inOther = await other.repository.create({ n: 1 }, { requestId });
    expect(inOther.key).not.toBe(inOne.key);
    expect((await one.repository.create({ n: 1 }, { requestId })).key).toBe(inOne.key);
    expect((await other.repository.create({ n: 1 }, { requestId })).key).toBe(inOther.key);
  });

  it("forgets the id after requestIdTtl, by the store's clock: the same id then makes a new session", async () => {
    const { repository, clock, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const first = await repository.create({ n: 1 }, { requestId });
    clock.advanceSeconds(REQUEST_ID_TTL - 1);
    expect((await repository.create({ n: 1 }, { requestId })).key).toBe(first.key);
    clock.advanceSeconds(1);
    const later = await repository.create({ n: 2 }, { requestId });
    expect(later.key).not.toBe(first.key);
    expect(await storedSessionCount(redis, config)).toBe(2);
    expect((await repository.create({ n: 2 }, { requestId })).key).toBe(later.key);
  });

  it("completes a create whose first attempt stopped after remembering it, at the key it chose", async () => {
    const { repository, clock, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const chosen = randomBytes(16).toString("hex");
    const digest = createDigest(900, { cart: ["book"] });
    const forgetAt = Math.floor(clock.ms / 1000) + REQUEST_ID_TTL;
    await writePendingRecord(redis, config, requestId, { kind: "create", digest, key: chosen, forgetAt });

    const created = await repository.create({ cart: ["book"] }, { ttl: 900, requestId });
    expect(created).toMatchObject({ key: chosen, version: 1, idleTtl: 900 });
    expect(await repository.get(chosen)).toMatchObject({ data: { cart: ["book"] }, version: 1 });
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect(await readRequestRecord(redis, config, requestId)).toMatchObject({ done: true, forgetAt });
  });

  it("completes a create whose first attempt stopped after saving, answering the session it saved", async () => {
    const { repository, clock, config } = makeStore(redis, settings);
    const requestId = newRequestId();
    const chosen = randomBytes(16).toString("hex");
    const forgetAt = Math.floor(clock.ms / 1000) + REQUEST_ID_TTL;
    const digest = createDigest(undefined, { n: 1 });
    await writePendingRecord(redis, config, requestId, { kind: "create", digest, key: chosen, forgetAt });
    const saved = await repository.save(chosen, { n: 1 }, { condition: { kind: "mustCreate" } });
    const record = await readRaw(redis, config, chosen);

    expect(await repository.create({ n: 1 }, { requestId })).toEqual(saved);
    expect(await readRaw(redis, config, chosen)).toEqual(record);
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect((await readRequestRecord(redis, config, requestId))?.done).toBe(true);
  });

  it("creates exactly one session when many identical requests race, from separate connections", async () => {
    const config = storeConfig(settings);
    const saves: string[] = [];
    const observer = { saved: (_: string, __: string, result: string) => saves.push(result) };
    const replicas = await Promise.all(
      Array.from({ length: 16 }, async () =>
        createSessionRepository(config, await redis.newClient(), { observer }),
      ),
    );
    const requestId = newRequestId();
    const answers = await Promise.all(
      replicas.flatMap((replica) => [1, 2].map(() => replica.create({ n: 1 }, { ttl: 300, requestId }))),
    );
    const [first] = answers;
    expect(new Set(answers.map((answer) => answer.key)).size).toBe(1);
    for (const answer of answers) expect(answer).toEqual(first);
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect(saves.filter((result) => result === "ok")).toHaveLength(1);
    // The attempts really raced: some found the request pending and tried the must-create save themselves.
    expect(saves.filter((result) => result === "already_exists").length).toBeGreaterThan(0);
  });

  it.each([
    ["upper case", "3F2504E0-4F89-41D3-9A0C-0305E82C3301"],
    ["no hyphens", "3f2504e04f8941d39a0c0305e82c3301"],
    ["braces", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"],
    ["the nil UUID", "00000000-0000-0000-0000-000000000000"],
    ["empty", ""],
    ["a session key", "0123456789abcdef0123456789abcdef"],
  ])("refuses a request id that is %s before touching Redis", async (_, requestId) => {
    const { repository } = makeStore(redis, settings);
    const error = await repository.create({}, { requestId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).not.toBeInstanceOf(RequestIdReusedError);
    expect((error as InvalidArgumentError).argument).toBe("requestId");
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("without a request id, creates a session per call and remembers nothing", async () => {
    const { repository, config } = makeStore(redis, settings);
    const [a, b] = [await repository.create({ n: 1 }), await repository.create({ n: 1 })];
    expect(a.key).not.toBe(b.key);
    expect(await storedSessionCount(redis, config)).toBe(2);
    expect(await requestRecordKeys(redis, config)).toEqual([]);
  });
});
