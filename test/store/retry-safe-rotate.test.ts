import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { StoreConfig } from "../../src/config/config-schema.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import {
  InvalidArgumentError,
  InvalidKeyError,
  RequestIdReusedError,
  SessionNotFoundError,
} from "../../src/store/errors.js";
import { parseSessionJson, type SessionDataReader } from "../../src/store/records/session-payload.js";
import { rotateDigest } from "../../src/store/requests/request-id.js";
import { useRedis } from "../support/redis-fixture.js";
import {
  newRequestId,
  readRequestRecord,
  requestRecordKeys,
  storedSessionCount,
  writePendingRecord,
} from "../support/request-records.js";
import { makeStore, rawLocation, readRaw, storeConfig, strategies } from "../support/store-fixture.js";

/**
 * RotateSessionKey with a request id (AIP-155), at the repository: a rotation whose answer was lost is not a lost
 * session. A repeat answers the session under the key the first attempt moved it to; attempts that stopped
 * midway are completed; racing attempts move the session once.
 */

const redis = useRedis();

const REQUEST_ID_TTL = 60;

/** The session's JSON as text: a reader other than the default one. */
const asText: SessionDataReader<string> = (json) => json.toString("utf8");

/** A key the store could rotate `key` to: random, in the same bucket for a hash store (bucketBits 8: 1 byte). */
function freshKeyFor(config: StoreConfig, key: string): string {
  const random = randomBytes(16).toString("hex");
  return config.strategy === "hash" ? key.slice(0, 2) + random.slice(2) : random;
}

/** Writes `record` as the session under `key`, behind the store's back (a string key gets the record's TTL). */
async function putRaw(config: StoreConfig, key: string, record: Buffer): Promise<void> {
  const { redisKey, field } = rawLocation(config, key);
  if (field === undefined) await redis.raw("SET", redisKey, record, "EXAT", record.readUInt32BE(0));
  else await redis.raw("HSET", redisKey, field, record);
}

async function deleteRaw(config: StoreConfig, key: string): Promise<void> {
  const { redisKey, field } = rawLocation(config, key);
  if (field === undefined) await redis.raw("DEL", redisKey);
  else await redis.raw("HDEL", redisKey, field);
}

/** A store with one session, and a pending rotation record of it as a stopped first attempt leaves it. */
async function stoppedRotation(settings: Record<string, unknown>) {
  const store = makeStore(redis, settings);
  const { key } = await store.repository.create({ cart: ["book"] });
  const requestId = newRequestId();
  const fresh = freshKeyFor(store.config, key);
  const forgetAt = Math.floor(store.clock.ms / 1000) + REQUEST_ID_TTL;
  const digest = rotateDigest(Buffer.from(key, "hex"));
  await writePendingRecord(redis, store.config, requestId, { kind: "rotate", digest, key: fresh, forgetAt });
  return { ...store, key, fresh, requestId };
}

describe.each(strategies)("rotate with a request id, %s strategy", (strategy) => {
  const settings = { strategy, bucketBits: 8, requestIdTtl: REQUEST_ID_TTL };

  it("answers a repeat with the session under the new key, as it is now; the old key stays dead", async () => {
    const { repository, config } = makeStore(redis, settings);
    const { key } = await repository.create({ n: 1 });
    const requestId = newRequestId();
    const rotated = await repository.rotate(key, parseSessionJson, { requestId });
    expect(rotated.key).not.toBe(key);

    expect(await repository.rotate(key, parseSessionJson, { requestId })).toEqual(rotated);
    expect(await repository.get(key)).toBeNull();
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect(await readRequestRecord(redis, config, requestId)).toMatchObject({
      kind: "rotate",
      done: true,
      key: rotated.key,
    });

    await repository.save(rotated.key, { n: 2 }, { condition: { kind: "version", expected: 1 } });
    // Another form of the answer is the same request: data_format is not part of it.
    expect(await repository.rotate(key, asText, { requestId })).toMatchObject({
      key: rotated.key,
      data: '{"n":2}',
      version: 2,
    });
    expect(await repository.get(key)).toBeNull();
  });

  it("answers NOT_FOUND once the rotated session is gone; never moves a session saved at the old key", async () => {
    const { repository } = makeStore(redis, settings);
    const { key } = await repository.create({ n: 1 });
    const requestId = newRequestId();
    const rotated = await repository.rotate(key, parseSessionJson, { requestId });
    await repository.delete(rotated.key);
    await repository.save(key, { someone: "else" }, { condition: { kind: "mustCreate" } });

    await expect(repository.rotate(key, parseSessionJson, { requestId })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    expect(await repository.get(key)).toMatchObject({ data: { someone: "else" } });
    expect(await repository.get(rotated.key)).toBeNull();
  });

  it("refuses the id back with another key, moving nothing", async () => {
    const { repository } = makeStore(redis, settings);
    const [a, b] = [await repository.create({ n: 1 }), await repository.create({ n: 2 })];
    const requestId = newRequestId();
    await repository.rotate(a.key, parseSessionJson, { requestId });
    await expect(repository.rotate(b.key, parseSessionJson, { requestId })).rejects.toBeInstanceOf(
      RequestIdReusedError,
    );
    expect(await repository.get(b.key)).toMatchObject({ data: { n: 2 } });
  });

  it("completes a rotation whose first attempt stopped after remembering it, moving to its key", async () => {
    const { repository, config, key, fresh, requestId } = await stoppedRotation(settings);
    const rotated = await repository.rotate(key, parseSessionJson, { requestId });
    expect(rotated).toMatchObject({ key: fresh, data: { cart: ["book"] }, version: 1 });
    expect(await repository.get(key)).toBeNull();
    expect(await repository.get(fresh)).toMatchObject({ data: { cart: ["book"] } });
    expect(await storedSessionCount(redis, config)).toBe(1);
    expect((await readRequestRecord(redis, config, requestId))?.done).toBe(true);
  });

  it("completes a rotation whose first attempt stopped after moving, answering the moved session", async () => {
    const { repository, config, key, fresh, requestId } = await stoppedRotation(settings);
    const record = await readRaw(redis, config, key);
    if (record === null) throw new Error("no record");
    await putRaw(config, fresh, record);
    await deleteRaw(config, key);

    expect(await repository.rotate(key, parseSessionJson, { requestId })).toMatchObject({
      key: fresh,
      data: { cart: ["book"] },
    });
    expect(await readRaw(redis, config, fresh)).toEqual(record);
    expect(await storedSessionCount(redis, config)).toBe(1);
    // Recorded as done: a later repeat never looks at the old key again.
    expect((await readRequestRecord(redis, config, requestId))?.done).toBe(true);
  });

  it("answers NOT_FOUND for a stopped rotation when neither key holds the session", async () => {
    const { repository, key, requestId } = await stoppedRotation(settings);
    await repository.delete(key);
    await expect(repository.rotate(key, parseSessionJson, { requestId })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
  });

  it("moves the session once when many identical requests race, from separate connections", async () => {
    const config = storeConfig(settings);
    let rotations = 0;
    const observer = { rotated: () => rotations++ };
    const replicas = await Promise.all(
      Array.from({ length: 16 }, async () =>
        createSessionRepository(config, await redis.newClient(), { observer }),
      ),
    );
    const [first] = replicas;
    if (first === undefined) throw new Error("no replicas");
    const { key } = await first.create({ n: 1 });
    const requestId = newRequestId();
    const answers = await Promise.all(
      replicas.flatMap((replica) => [1, 2].map(() => replica.rotate(key, parseSessionJson, { requestId }))),
    );
    const [answer] = answers;
    expect(answer?.key).not.toBe(key);
    for (const other of answers) expect(other).toEqual(answer);
    expect(rotations).toBe(1);
    expect(await first.get(key)).toBeNull();
    expect(await storedSessionCount(redis, config)).toBe(1);
  });

  it("forgets the id after requestIdTtl: a repeat then finds the old key dead", async () => {
    const { repository, clock } = makeStore(redis, settings);
    const { key } = await repository.create({ n: 1 });
    const requestId = newRequestId();
    const rotated = await repository.rotate(key, parseSessionJson, { requestId });
    clock.advanceSeconds(REQUEST_ID_TTL - 1);
    expect((await repository.rotate(key, parseSessionJson, { requestId })).key).toBe(rotated.key);
    clock.advanceSeconds(1);
    await expect(repository.rotate(key, parseSessionJson, { requestId })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
  });

  it("refuses a malformed request id before touching Redis, and a malformed key before the id", async () => {
    const { repository, config } = makeStore(redis, settings);
    const { key } = await repository.create({ n: 1 });
    const error = await repository
      .rotate(key, parseSessionJson, { requestId: "not-a-uuid" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe("requestId");
    await expect(
      repository.rotate("not-a-key", parseSessionJson, { requestId: "not-a-uuid" }),
    ).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await repository.get(key)).not.toBeNull();
    expect(await requestRecordKeys(redis, config)).toEqual([]);
  });
});

/** States only the string strategy's two-step move (copy, then delete the old key) can leave. */
describe("rotate with a request id, string strategy's copy", () => {
  const settings = { strategy: "string", requestIdTtl: REQUEST_ID_TTL };

  it("completes a rotation that stopped between its copy and its delete of the old key", async () => {
    const { repository, config, key, fresh, requestId } = await stoppedRotation(settings);
    const record = await readRaw(redis, config, key);
    if (record === null) throw new Error("no record");
    await putRaw(config, fresh, record);

    expect(await repository.rotate(key, parseSessionJson, { requestId })).toMatchObject({
      key: fresh,
      data: { cart: ["book"] },
    });
    expect(await repository.get(key)).toBeNull();
    expect(await storedSessionCount(redis, config)).toBe(1);
  });

  it("replaces a copy gone stale (the old key was saved after it) with the session as it is now", async () => {
    const { repository, config, key, fresh, requestId } = await stoppedRotation(settings);
    const stale = await readRaw(redis, config, key);
    if (stale === null) throw new Error("no record");
    await putRaw(config, fresh, stale);
    await repository.save(key, { cart: ["book", "pen"] }, { condition: { kind: "mustExist" } });

    expect(await repository.rotate(key, parseSessionJson, { requestId })).toMatchObject({
      key: fresh,
      data: { cart: ["book", "pen"] },
      version: 2,
    });
    expect(await repository.get(fresh)).toMatchObject({ data: { cart: ["book", "pen"] }, version: 2 });
    expect(await repository.get(key)).toBeNull();
    expect(await storedSessionCount(redis, config)).toBe(1);
  });
});
