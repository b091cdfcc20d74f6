import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { outcomeOf } from "../support/call-outcomes.js";
import { deepJsonText, SHAPES, type Shape } from "../support/deep-data.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { SERVED_STORES, useServer } from "../support/server-fixture.js";
import { readRaw, writeRaw } from "../support/store-fixture.js";

/**
 * Records whose data nests deeper than the store's maxDataDepth (32 here), written behind the service's back as an
 * older version or a hand could have: a valid header, then the JSON. Each answers DATA_LOSS, never INTERNAL, for
 * itself only: a batch lists it corrupt and still returns its neighbour, and a rotation leaves it where it is.
 * Before, such a session answered INTERNAL to every read, took its healthy neighbours down with it in a batch, and
 * was rotated away under a key nobody was told.
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;

/** The test stores' maxDataDepth: the default. */
const LIMIT = 32;

const STORES = SERVED_STORES;

/** Deeper than the limit: by one, up to what the wire can carry and past it, and far past it. */
const DEPTHS = [LIMIT + 1, 49, 50, 120, 600, 1_000, 100_000];

/** The data a healthy session is created with: its JSON is small enough to be stored plain in both stores. */
const VICTIM = { victim: true };

const codeOf = async (call: () => Promise<unknown>) => (await outcomeOf(call)).code;

describe.each(STORES)(
  "records nested deeper than maxDataDepth in the $strategy store",
  ({ store, config }) => {
    /**
     * A live session and a neighbour (in the same bucket for a hash store); then the first one's record rewritten
     * with `json` after its own header. The session's data is stored plain (too small to compress), so the record is
     * its header followed by the JSON: the header is kept whatever its format.
     */
    async function arrange(json: string) {
      const victim =
        (await api().createSession({ store, content: { case: "data", value: VICTIM } })).session?.key ?? "";
      const neighbour = `${victim.slice(0, 2)}${randomBytes(15).toString("hex")}`;
      await api().saveSession({
        store,
        key: neighbour,
        content: { case: "data", value: { neighbour: true } },
        condition: SaveCondition.MUST_CREATE,
      });
      const record = (await readRaw(redis, config, victim)) as Buffer;
      const plain = Buffer.from(JSON.stringify(VICTIM));
      expect(record.subarray(record.length - plain.length)).toEqual(plain);
      const header = record.subarray(0, record.length - plain.length);
      await writeRaw(redis, config, victim, Buffer.concat([header, Buffer.from(json)]));
      return { victim, neighbour };
    }

    const cases = SHAPES.flatMap((shape) =>
      DEPTHS.map((depth) => [`${shape} nested ${depth}`, shape, depth] as const),
    )
      // Within the store's maxSessionBytes, so that the depth is what the read refuses, not the size.
      .filter(([, shape, depth]) => deepJsonText(depth, shape).length <= config.maxSessionBytes);

    it.each(cases)(
      "a record of data %s levels deep: DATA_LOSS for itself only, and RotateSessionKey moves nothing",
      async (_what, shape: Shape, depth: number) => {
        const json = deepJsonText(depth, shape);
        const { victim, neighbour } = await arrange(json);
        const missing = randomBytes(16).toString("hex");

        expect(await codeOf(() => api().getSession({ store, key: victim }))).toBe(status.DATA_LOSS);
        expect(await codeOf(() => api().getSession({ store, key: victim, touch: true }))).toBe(
          status.DATA_LOSS,
        );
        const batch = await api().batchGetSessions({ store, keys: [victim, neighbour, missing] });
        expect(batch.sessions.map((session) => [session.key, session.content])).toEqual([
          [neighbour, { case: "data", value: { neighbour: true } }],
        ]);
        expect(batch.corruptKeys).toEqual([victim]);
        expect(batch.missingKeys).toEqual([missing]);

        const before = await redisSnapshot(redis);
        expect(await codeOf(() => api().rotateSessionKey({ store, key: victim }))).toBe(status.DATA_LOSS);
        expect(await redisSnapshot(redis)).toEqual(before);
        // Left in place for inspection (a touch may have rewritten its header, never its data).
        const record = (await readRaw(redis, config, victim)) as Buffer;
        expect(record.subarray(record.length - json.length).toString()).toBe(json);

        // The neighbour lives on, and rotates as usual.
        const rotated = (await api().rotateSessionKey({ store, key: neighbour })).session;
        expect(rotated?.content).toEqual({ case: "data", value: { neighbour: true } });
      },
    );

    it.each(SHAPES)(
      `a record of %s nested exactly ${LIMIT} levels deep is read, batch-read and rotated`,
      async (shape) => {
        const json = deepJsonText(LIMIT, shape);
        const { victim } = await arrange(json);
        const data = JSON.parse(json) as unknown;
        expect((await api().getSession({ store, key: victim })).session?.content).toEqual({
          case: "data",
          value: data,
        });
        expect((await api().getSession({ store, key: victim, touch: true })).session?.content).toEqual({
          case: "data",
          value: data,
        });
        expect((await api().batchGetSessions({ store, keys: [victim] })).sessions[0]?.content).toEqual({
          case: "data",
          value: data,
        });
        const rotated = (await api().rotateSessionKey({ store, key: victim })).session;
        expect(rotated?.content).toEqual({ case: "data", value: data });
        expect((await api().getSession({ store, key: rotated?.key ?? "" })).session?.content).toEqual({
          case: "data",
          value: data,
        });
      },
    );
  },
);
