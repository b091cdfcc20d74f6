import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSessionJson } from "../../src/store/records/session-payload.js";
import { RequestKind } from "../../src/store/requests/request-id.js";
import { RequestMemory } from "../../src/store/requests/request-memory.js";
import { requestRecordKey } from "../../src/store/requests/request-record.js";
import { usePrivateRedis } from "../support/extra-redis.js";
import { newRequestId, readRequestRecord, requestRecordKeyOf } from "../support/request-records.js";
import { makeStore, storeConfig } from "../support/store-fixture.js";

/**
 * The remembered-request records themselves, on a private Redis (the last tests make it full): how a request is
 * begun and finished, what is kept, and what a late attempt cannot overwrite.
 */

const redis = usePrivateRedis(["--maxmemory-policy", "noeviction"]);
afterEach(() => redis.raw("CONFIG", "SET", "maxmemory", 0));

const config = storeConfig({ requestIdTtl: 60 });
const prefix = Buffer.from(config.prefix);
// Near the real time, taken as each test starts: Redis expires the keys (EXAT) by its own clock, so each test has
// the 60 s of requestIdTtl to itself, however long the ones before it took.
let NOW = 0;
beforeEach(() => {
  NOW = Math.floor(Date.now() / 1000);
});

function pendingRecord(kind: RequestKind = RequestKind.create) {
  return { kind, done: false, digest: randomBytes(16), key: randomBytes(16) };
}

describe("RequestMemory", () => {
  it("names its keys as the layout says, apart from every session key and bucket of the store", () => {
    const requestId = newRequestId();
    const key = requestRecordKey(prefix, Buffer.from(requestId.replaceAll("-", ""), "hex"));
    expect(key).toEqual(requestRecordKeyOf(config, requestId));
    // 25 bytes after the prefix: never a string session's 16, a bucket's 1 to 3, or a sweeper key's 13 or 14.
    expect(key.byteLength - prefix.byteLength).toBe(25);
  });

  it("remembers the first request under an id and answers it, bytes and all, to every later one", async () => {
    const memory = new RequestMemory(redis.link, prefix, 60);
    const requestId = newRequestId();
    const id = Buffer.from(requestId.replaceAll("-", ""), "hex");
    const first = pendingRecord();
    const begun = await memory.begin(id, first, NOW);
    expect(begun).toMatchObject({ first: true, record: { ...first, forgetAt: NOW + 60 } });

    const later = await memory.begin(id, pendingRecord(RequestKind.rotate), NOW + 59);
    expect(later.first).toBe(false);
    expect(later.record).toEqual({ ...first, forgetAt: NOW + 60, answer: undefined });
    expect(later.stored).toEqual(begun.stored);
    expect(await readRequestRecord(redis, config, requestId)).toMatchObject({
      kind: "create",
      done: false,
      key: first.key.toString("hex"),
      forgetAt: NOW + 60,
    });
  });

  it("marks a request done keeping its expiry, and stores a create's answer", async () => {
    const memory = new RequestMemory(redis.link, prefix, 60);
    const requestId = newRequestId();
    const id = Buffer.from(requestId.replaceAll("-", ""), "hex");
    const begun = await memory.begin(id, pendingRecord(), NOW);
    const answer = { version: 1, createdAt: 0, expiresAt: NOW + 3600, idleTtl: 3600 };
    await memory.finish(id, begun.stored, { ...begun.record, done: true, answer });

    const record = await readRequestRecord(redis, config, requestId);
    expect(record).toMatchObject({ done: true, answer: [1, 0, NOW + 3600, 3600] });
    const pttl = Number(await redis.raw("PTTL", requestRecordKeyOf(config, requestId)));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it("lets no late attempt finish over a newer request that took the id once the first was forgotten", async () => {
    const memory = new RequestMemory(redis.link, prefix, 60);
    const requestId = newRequestId();
    const id = Buffer.from(requestId.replaceAll("-", ""), "hex");
    const late = await memory.begin(id, pendingRecord(), NOW);
    const newer = await memory.begin(id, pendingRecord(), NOW + 60);
    expect(newer.first).toBe(true);

    await memory.finish(id, late.stored, { ...late.record, done: true });
    expect(await readRequestRecord(redis, config, requestId)).toMatchObject({
      done: false,
      key: newer.record.key.toString("hex"),
      forgetAt: NOW + 120,
    });
  });

  it("marks a request done even in a full Redis: the work it records is written already", async () => {
    const memory = new RequestMemory(redis.link, prefix, 60);
    const requestId = newRequestId();
    const id = Buffer.from(requestId.replaceAll("-", ""), "hex");
    const begun = await memory.begin(id, pendingRecord(), NOW);
    await redis.raw("CONFIG", "SET", "maxmemory", 1);
    const answer = { version: 1, createdAt: 0, expiresAt: NOW, idleTtl: 60 };
    await memory.finish(id, begun.stored, { ...begun.record, done: true, answer });
    expect((await readRequestRecord(redis, config, requestId))?.done).toBe(true);
  });
});

describe("retry-safe writes in a full Redis", () => {
  it("refuses a new create or rotation, writing no record; answers a repeat of a done one", async () => {
    const { repository } = makeStore(redis, { requestIdTtl: 60 });
    const created = await repository.create({ n: 1 }, { requestId: newRequestId() });
    const rotationId = newRequestId();
    const rotated = await repository.rotate(created.key, parseSessionJson, { requestId: rotationId });
    const createId = newRequestId();
    const createdBefore = await repository.create({ n: 2 }, { requestId: createId });
    const keysBefore = await redis.raw("DBSIZE");
    await redis.raw("CONFIG", "SET", "maxmemory", 1);

    await expect(repository.create({ n: 3 }, { requestId: newRequestId() })).rejects.toThrow("out of memory");
    await expect(
      repository.rotate(createdBefore.key, parseSessionJson, { requestId: newRequestId() }),
    ).rejects.toThrow("out of memory");
    expect(await redis.raw("DBSIZE")).toBe(keysBefore);
    // Repeats only read: a full Redis answers them as it answers reads.
    expect(await repository.create({ n: 2 }, { requestId: createId })).toEqual(createdBefore);
    expect((await repository.rotate(created.key, parseSessionJson, { requestId: rotationId })).key).toBe(
      rotated.key,
    );
  });
});
