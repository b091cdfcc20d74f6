import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { codecByName } from "../../src/codec/codec-registry.js";
import { outcomeOf } from "../support/call-outcomes.js";
import { useRedis } from "../support/redis-fixture.js";
import { SERVED_STORES, useServer } from "../support/server-fixture.js";
import { readRaw, withRecordParts, writeRaw } from "../support/store-fixture.js";

/**
 * Records corrupted behind the service's back, reached through gRPC: DATA_LOSS for that session, and only for it.
 * (test/server/session-service.test.ts covers a GetSession and a BatchGetSessions of one garbage value; this
 * covers every kind of damage, the other RPCs, and a neighbour in the same hash bucket.)
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;

const STORES = SERVED_STORES;

/** A valid record damaged so that its header cannot be read. */
const HEADER_DAMAGE: Record<string, (record: Buffer) => Buffer> = {
  "shorter than a header": () => Buffer.from("garbage"),
  "of an unknown record format": (record) => withByte(record, 4, 0x09),
};

/** A valid record whose header is intact but whose payload cannot be decoded. */
function payloadDamage(codec: number): Record<string, (record: Buffer) => Buffer> {
  const plain = (record: Buffer, json: string) =>
    withRecordParts(record, { codecId: 0, payload: Buffer.from(json) });
  return {
    "of an unknown codec": (record) => withRecordParts(record, { codecId: 15 }),
    "whose payload its codec cannot decode": (record) =>
      withRecordParts(record, { codecId: codec, payload: Buffer.from("not compressed at all") }),
    "whose payload is not JSON": (record) => plain(record, '{"cut'),
    "whose JSON is not an object": (record) => plain(record, "[1,2]"),
    "whose JSON object is followed by more": (record) => plain(record, '{"a":1}{"b":2}'),
    "whose JSON starts with a byte-order mark": (record) => plain(record, '\uFEFF{"a":1}'),
  };
}

function withByte(bytes: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = value;
  return copy;
}

const codeOf = async (call: () => Promise<unknown>) => (await outcomeOf(call)).code;

describe.each(STORES)("corrupt records in the $strategy store", ({ store, config }) => {
  /** A live session, then a neighbour (in the same bucket for a hash store), then the first one corrupted. */
  async function arrange(damage: (record: Buffer) => Buffer) {
    const victim =
      (await api().createSession({ store, content: { case: "data", value: { victim: true } } })).session
        ?.key ?? "";
    const neighbour = `${victim.slice(0, 2)}${randomBytes(15).toString("hex")}`;
    await api().saveSession({
      store,
      key: neighbour,
      content: { case: "data", value: { neighbour: true } },
      condition: SaveCondition.MUST_CREATE,
    });
    const corrupt = damage((await readRaw(redis, config, victim)) as Buffer);
    await writeRaw(redis, config, victim, corrupt);
    return { victim, neighbour, corrupt };
  }

  const cases = Object.entries({ ...HEADER_DAMAGE, ...payloadDamage(codecByName(config.codec).id) });

  it.each(cases)(
    "a record %s: reads answer DATA_LOSS and leave it in place; its neighbour is served",
    async (_what, damage) => {
      const { victim, neighbour, corrupt } = await arrange(damage);
      const missing = randomBytes(16).toString("hex");

      expect(await codeOf(() => api().getSession({ store, key: victim }))).toBe(status.DATA_LOSS);
      expect(await codeOf(() => api().getSession({ store, key: victim, touch: true }))).toBe(
        status.DATA_LOSS,
      );
      const batch = await api().batchGetSessions({ store, keys: [victim, neighbour, missing] });
      expect(batch.sessions.map((session) => session.key)).toEqual([neighbour]);
      expect(batch.corruptKeys).toEqual([victim]);
      expect(batch.missingKeys).toEqual([missing]);
      // Left in place for inspection (a touch may have moved the expiry in its first four bytes, nothing else).
      expect((await readRaw(redis, config, victim))?.subarray(4)).toEqual(corrupt.subarray(4));

      // The neighbour lives on: read, written, touched and rotated as usual.
      expect((await api().getSession({ store, key: neighbour })).session?.content).toEqual({
        case: "data",
        value: { neighbour: true },
      });
      const save = api().saveSession({
        store,
        key: neighbour,
        content: { case: "data", value: { n: 2 } },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 1,
      });
      expect((await save).session?.version).toBe(2);
      expect((await api().touchSession({ store, key: neighbour })).session?.version).toBe(2);
      const rotated = (await api().rotateSessionKey({ store, key: neighbour })).session;
      expect(rotated?.content).toEqual({ case: "data", value: { n: 2 } });

      // The owner can still get rid of it: a delete removes it, after which the key holds no session.
      expect((await api().deleteSession({ store, key: victim })).existed).toBe(true);
      expect(await codeOf(() => api().getSession({ store, key: victim }))).toBe(status.NOT_FOUND);
      expect((await api().getSession({ store, key: rotated?.key ?? "" })).session?.content).toEqual({
        case: "data",
        value: { n: 2 },
      });
    },
  );

  const repaired = { case: "data" as const, value: { repaired: true } };

  // The header still says "live": a save that must find a session finds it, and replaces what it could not read.
  it.each(Object.entries(payloadDamage(codecByName(config.codec).id)))(
    "a record %s: a MUST_EXIST save replaces it with a readable session",
    async (_what, damage) => {
      const { victim } = await arrange(damage);
      const save = api().saveSession({
        store,
        key: victim,
        content: repaired,
        condition: SaveCondition.MUST_EXIST,
      });
      expect((await save).session?.version).toBe(2);
      expect((await api().getSession({ store, key: victim })).session?.content).toEqual(repaired);
    },
  );

  // No header, no session to condition on: no save writes over it (a save that must find a session answers
  // DATA_LOSS, one that must not find one ALREADY_EXISTS); the owner deletes it, then creates under the key again.
  it.each(Object.entries(HEADER_DAMAGE))(
    "a record %s: no save writes over it; after a delete, a MUST_CREATE save replaces it",
    async (_what, damage) => {
      const { victim, corrupt } = await arrange(damage);
      const save = (condition: SaveCondition, expectedVersion = 0) =>
        outcomeOf(() =>
          api().saveSession({ store, key: victim, content: repaired, condition, expectedVersion }),
        );
      expect((await save(SaveCondition.MUST_EXIST)).code).toBe(status.DATA_LOSS);
      expect((await save(SaveCondition.EXPECTED_VERSION, 1)).code).toBe(status.DATA_LOSS);
      expect((await save(SaveCondition.MUST_CREATE)).code).toBe(status.ALREADY_EXISTS);
      expect(await readRaw(redis, config, victim)).toEqual(corrupt);

      expect((await api().deleteSession({ store, key: victim })).existed).toBe(true);
      expect((await save(SaveCondition.MUST_CREATE)).code).toBe(status.OK);
      expect((await api().getSession({ store, key: victim })).session?.content).toEqual(repaired);
    },
  );

  it.each(Object.entries(HEADER_DAMAGE))(
    "a record %s: RotateSessionKey answers DATA_LOSS and leaves it where it was",
    async (_what, damage) => {
      const { victim, corrupt } = await arrange(damage);
      expect(await codeOf(() => api().rotateSessionKey({ store, key: victim }))).toBe(status.DATA_LOSS);
      expect(await readRaw(redis, config, victim)).toEqual(corrupt);
      expect(await codeOf(() => api().getSession({ store, key: victim }))).toBe(status.DATA_LOSS);
    },
  );

  // The record is decoded before it moves: one with an intact header but a bad payload must not be moved away
  // under a key nobody is told (the old key would answer NOT_FOUND from then on).
  it.each(Object.entries(payloadDamage(codecByName(config.codec).id)))(
    "a record %s: RotateSessionKey answers DATA_LOSS and leaves it where it was",
    async (_what, damage) => {
      const { victim, corrupt } = await arrange(damage);
      const keysBefore = Number(await redis.raw("DBSIZE"));
      expect(await codeOf(() => api().rotateSessionKey({ store, key: victim }))).toBe(status.DATA_LOSS);
      expect(Number(await redis.raw("DBSIZE"))).toBe(keysBefore);
      expect(await readRaw(redis, config, victim)).toEqual(corrupt);
      expect(await codeOf(() => api().getSession({ store, key: victim }))).toBe(status.DATA_LOSS);
    },
  );
});
