import { randomBytes } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import type { SessionServiceError } from "../../src/client/index.js";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { rawLocation, storeConfig } from "../support/store-fixture.js";

const redis = useRedis();
const served = useServer();
const api = () => served.client;

const seconds = (ts: { seconds: bigint } | undefined) => Number(ts?.seconds ?? -1n);
const newKey = () => randomBytes(16).toString("hex");
/** What writes answer: a session's key, version and times, never its data. */
const SESSION_INFO = "redisession.v1.SessionInfo";

/** The gRPC status code a call failed with. */
const codeOf = async (call: Promise<unknown>) => (await failureOf(call)).code;

describe.each([
  { store: "", strategy: "hash (default store, zstd)" },
  { store: "strings", strategy: "string (gzip)" },
])("SessionService over the $strategy", ({ store }) => {
  it("creates, gets, saves, touches, rotates and deletes a session", async () => {
    const created = (
      await api().createSession({
        store,
        content: { case: "data", value: { user: "ada" } },
        idleTtl: { seconds: 600n },
      })
    ).session;
    expect(created?.key).toMatch(/^[0-9a-f]{32}$/);
    expect(created?.$typeName).toBe(SESSION_INFO); // no data: the caller has what it sent
    expect(created?.version).toBe(1);
    expect(created?.idleTtl).toEqual(expect.objectContaining({ seconds: 600n, nanos: 0 }));
    const expiresIn = seconds(created?.expireTime) - Math.floor(Date.now() / 1000);
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(600);
    // Only a store with a maxLifetime records (and answers) creation times.
    if (store === "strings") expect(seconds(created?.createTime)).toBe(seconds(created?.expireTime) - 600);
    else expect(created?.createTime).toBeUndefined();
    const key = created?.key ?? "";

    const got = (await api().getSession({ store, key })).session;
    expect(got).toEqual({
      ...created,
      $typeName: "redisession.v1.Session",
      content: { case: "data", value: { user: "ada" } },
    });

    const big = { cart: Array.from({ length: 30 }, (_, i) => ({ sku: `sku-${i % 3}`, qty: i })) };
    const saved = (
      await api().saveSession({
        store,
        key,
        content: { case: "data", value: big },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 1,
      })
    ).session;
    expect(saved?.version).toBe(2);
    expect(saved?.$typeName).toBe(SESSION_INFO); // no data
    expect((await api().getSession({ store, key })).session?.content).toEqual({ case: "data", value: big });

    // Two hours from the second the server touched it, which lies between these two, however long the call took.
    const beforeTouch = Math.floor(Date.now() / 1000);
    const touched = (await api().touchSession({ store, key, idleTtl: { seconds: 7200n } })).session;
    const afterTouch = Math.floor(Date.now() / 1000);
    expect(touched?.version).toBe(2);
    expect(touched?.$typeName).toBe(SESSION_INFO);
    expect(seconds(touched?.expireTime)).toBeGreaterThanOrEqual(beforeTouch + 7200);
    expect(seconds(touched?.expireTime)).toBeLessThanOrEqual(afterTouch + 7200);

    const slid = (await api().getSession({ store, key, touch: true, idleTtl: { seconds: 60n } })).session;
    expect(slid?.content).toEqual({ case: "data", value: big });
    expect(seconds(slid?.expireTime)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 60);

    const rotated = (await api().rotateSessionKey({ store, key })).session;
    expect(rotated?.key).not.toBe(key);
    expect(rotated?.content).toEqual({ case: "data", value: big });
    expect(rotated?.version).toBe(2);
    expect(await codeOf(api().getSession({ store, key }))).toBe(status.NOT_FOUND);

    expect((await api().deleteSession({ store, key: rotated?.key ?? "" })).existed).toBe(true);
    expect((await api().deleteSession({ store, key: rotated?.key ?? "" })).existed).toBe(false);
    expect(await codeOf(api().getSession({ store, key: rotated?.key ?? "" }))).toBe(status.NOT_FOUND);
  });

  it("batch-gets found, missing and corrupt keys", async () => {
    const a = (await api().createSession({ store, content: { case: "data", value: { a: 1 } } })).session;
    const b = (await api().createSession({ store, content: { case: "data", value: { b: 2 } } })).session;
    const broken = (await api().createSession({ store, content: { case: "data", value: { c: 3 } } })).session;
    const config = storeConfig({
      ...(store === "" ? TEST_STORES.default : TEST_STORES.strings),
      prefix: store === "" ? "default:" : "strings:",
    });
    const { redisKey, field } = rawLocation(config, broken?.key ?? "");
    if (field === undefined) await redis.raw("SET", redisKey, "garbage");
    else await redis.raw("HSET", redisKey, field, "garbage");
    const missing = newKey();
    const reply = await api().batchGetSessions({
      store,
      keys: [a?.key ?? "", missing, b?.key ?? "", broken?.key ?? ""],
    });
    expect(reply.sessions.map((s) => s.content)).toEqual([
      { case: "data", value: { a: 1 } },
      { case: "data", value: { b: 2 } },
    ]);
    expect(reply.missingKeys).toEqual([missing]);
    expect(reply.corruptKeys).toEqual([broken?.key]);
    expect(await codeOf(api().getSession({ store, key: broken?.key ?? "" }))).toBe(status.DATA_LOSS);
  });

  it("answers every condition with its status code", async () => {
    const live = (await api().createSession({ store, content: { case: "data", value: { n: 1 } } })).session;
    const key = live?.key ?? "";
    const save = (condition: SaveCondition, expectedVersion = 0, target = key) =>
      api().saveSession({
        store,
        key: target,
        content: { case: "data", value: { n: 2 } },
        condition,
        expectedVersion,
      });
    expect(await codeOf(save(SaveCondition.MUST_CREATE))).toBe(status.ALREADY_EXISTS);
    expect(await codeOf(save(SaveCondition.EXPECTED_VERSION, 7))).toBe(status.ABORTED);
    expect(await codeOf(save(SaveCondition.MUST_EXIST, 0, newKey()))).toBe(status.NOT_FOUND);
    expect(await codeOf(save(SaveCondition.EXPECTED_VERSION, 1, newKey()))).toBe(status.NOT_FOUND);
    // No condition is no save: the contract has no default.
    expect(await codeOf(save(SaveCondition.UNSPECIFIED))).toBe(status.INVALID_ARGUMENT);
    expect((await save(SaveCondition.MUST_EXIST)).session?.version).toBe(2);
    expect((await save(SaveCondition.EXPECTED_VERSION, 2)).session?.version).toBe(3);
    expect((await save(SaveCondition.MUST_CREATE, 0, newKey())).session?.version).toBe(1);
    expect(await codeOf(api().touchSession({ store, key: newKey() }))).toBe(status.NOT_FOUND);
    expect(await codeOf(api().rotateSessionKey({ store, key: newKey() }))).toBe(status.NOT_FOUND);
  });

  it("refuses bad input with INVALID_ARGUMENT or RESOURCE_EXHAUSTED, and stores nothing", async () => {
    const before = Number(await redis.raw("DBSIZE"));
    const key = newKey();
    const invalid = [
      () => api().getSession({ store, key: key.toUpperCase() }),
      () => api().getSession({ store, key: "short" }),
      () => api().getSession({ store: "nope", key }),
      () => api().createSession({ store, idleTtl: { seconds: 0n } }),
      () => api().createSession({ store, idleTtl: { seconds: 86_401n } }),
      () => api().createSession({ store, idleTtl: { seconds: 10n, nanos: 5 } }),
      () => api().saveSession({ store, key, condition: SaveCondition.MUST_CREATE, expectedVersion: 3 }),
      () => api().saveSession({ store, key, condition: SaveCondition.EXPECTED_VERSION }),
      () => api().batchGetSessions({ store, keys: [key, "bad"] }),
      () => api().batchGetSessions({ store, keys: Array.from({ length: 1001 }, newKey) }),
    ];
    for (const call of invalid) expect(await codeOf(call())).toBe(status.INVALID_ARGUMENT);
    const huge = { blob: "x".repeat(5000) };
    if (store === "")
      expect(
        await codeOf(
          api().saveSession({
            store,
            key,
            content: { case: "data", value: huge },
            condition: SaveCondition.MUST_CREATE,
          }),
        ),
      ).toBe(status.RESOURCE_EXHAUSTED);
    expect(Number(await redis.raw("DBSIZE"))).toBe(before);
  });

  it("never puts a session key in a status message", async () => {
    const key = newKey();
    for (const call of [
      () => api().getSession({ store, key }),
      () => api().touchSession({ store, key }),
      () => api().rotateSessionKey({ store, key }),
      () => api().getSession({ store, key: `${key}0` }),
    ]) {
      try {
        await call();
      } catch (error) {
        expect((error as SessionServiceError).details).not.toContain(key);
        expect((error as Error).message).not.toContain(key);
      }
    }
  });
});

describe("SessionService timestamps", () => {
  it("are whole seconds of the session's creation and expiry", async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = (await api().createSession({ store: "strings", idleTtl: { seconds: 120n } })).session;
    const createTime = timestampDate(created?.createTime ?? ({ seconds: 0n, nanos: 0 } as never));
    expect(createTime.getTime() % 1000).toBe(0);
    expect(seconds(created?.createTime)).toBeGreaterThanOrEqual(before);
    expect(seconds(created?.expireTime)).toBe(seconds(created?.createTime) + 120);
  });
});
