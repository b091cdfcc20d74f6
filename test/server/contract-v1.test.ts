import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  CreateSessionResponseSchema,
  DataFormat,
  SaveCondition,
  SaveSessionResponseSchema,
  TouchSessionResponseSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { encodeHeader, VERSION_MAX } from "../../src/store/records/record.js";
import { failureOf } from "../support/call-helpers.js";
import { deepJsonText } from "../support/deep-data.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { SERVED_STORES, TEST_STORES, useServer } from "../support/server-fixture.js";
import { expectDetails } from "../support/status-details.js";
import { readRaw, recordParts, writeRaw } from "../support/store-fixture.js";

/**
 * The changes of contract v1 (issue 13), through the shipped client and a real server: a save names its condition
 * (UPSERT is gone, and only MUST_CREATE stores under a key the service did not make), writes answer a SessionInfo,
 * `idle_ttl` is refused where nothing slides, data travels as JSON text (`data_json`) with every digit kept, and
 * versions are int32, wrapping after 2^31 - 1.
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;
const newKey = () => randomBytes(16).toString("hex");

const SESSION_INFO = "redisession.v1.SessionInfo";
const SESSION = "redisession.v1.Session";

/**
 * JSON text no Struct carries as written: 2^53 + 1 (a double holds 2^53), -0, spaces and an escape. Stored as
 * written, it must come back byte for byte.
 */
const EXACT_TEXT = '{"big": 9007199254740993, "zero": -0, "s": "caf\\u00e9", "list": [1, 2.50]}';

/** A live session of `store` with data `{ n: 1 }`, version 1. */
async function liveSession(store = ""): Promise<string> {
  return (
    (await api().createSession({ store, content: { case: "data", value: { n: 1 } } })).session?.key ?? ""
  );
}

describe("a save names its condition", () => {
  it("refuses a save without one (INVALID_FIELD on `condition`), and stores nothing", async () => {
    const live = await liveSession();
    const before = await redisSnapshot(redis);
    // Neither the update of a live session nor a session planted under a key of the caller's.
    for (const key of [live, newKey()]) {
      const error = await failureOf(api().saveSession({ key, content: { case: "data", value: { n: 2 } } }));
      expectDetails(error, { code: status.INVALID_ARGUMENT, reason: "INVALID_FIELD", fields: ["condition"] });
    }
    expect(await redisSnapshot(redis)).toEqual(before);
  });

  it("refuses the removed UPSERT (1, sent as a number) as a condition it does not know", async () => {
    const live = await liveSession();
    const before = await redisSnapshot(redis);
    for (const key of [live, newKey()]) {
      const upsert = api().saveSession({
        key,
        content: { case: "data", value: {} },
        condition: 1 as SaveCondition,
      });
      expectDetails(await failureOf(upsert), {
        code: status.INVALID_ARGUMENT,
        reason: "INVALID_FIELD",
        fields: ["condition"],
      });
    }
    expect(await redisSnapshot(redis)).toEqual(before);
  });

  it.each(SERVED_STORES)(
    "stores under a key of the caller's with MUST_CREATE only ($strategy store)",
    async ({ store }) => {
      const key = newKey();
      const save = (condition: SaveCondition, expectedVersion = 0) =>
        api().saveSession({
          store,
          key,
          content: { case: "dataJson", value: '{"n":1}' },
          condition,
          expectedVersion,
        });

      const before = await redisSnapshot(redis);
      expectDetails(await failureOf(save(SaveCondition.MUST_EXIST)), {
        code: status.NOT_FOUND,
        reason: "SESSION_NOT_FOUND",
      });
      expectDetails(await failureOf(save(SaveCondition.EXPECTED_VERSION, 1)), {
        code: status.NOT_FOUND,
        reason: "SESSION_NOT_FOUND",
      });
      // No session at the caller's key, not even a deleted one's tombstone: Redis is as it was.
      expect(await redisSnapshot(redis)).toEqual(before);
      expect((await failureOf(api().getSession({ store, key }))).code).toBe(status.NOT_FOUND);

      const created = (await save(SaveCondition.MUST_CREATE)).session;
      expect(created).toMatchObject({ $typeName: SESSION_INFO, key, version: 1 });
      const read = (await api().getSession({ store, key, dataFormat: DataFormat.JSON })).session;
      expect(read).toMatchObject({ key, version: 1, content: { case: "dataJson", value: '{"n":1}' } });
      expectDetails(await failureOf(save(SaveCondition.MUST_CREATE)), {
        code: status.ALREADY_EXISTS,
        reason: "SESSION_EXISTS",
      });
      // Once it exists, the other conditions update it.
      expect((await save(SaveCondition.MUST_EXIST)).session?.version).toBe(2);
      expect((await save(SaveCondition.EXPECTED_VERSION, 2)).session?.version).toBe(3);
    },
  );

  it("refuses a negative expected_version, with EXPECTED_VERSION or any other condition", async () => {
    const key = await liveSession();
    const before = await redisSnapshot(redis);
    for (const condition of [SaveCondition.EXPECTED_VERSION, SaveCondition.MUST_EXIST]) {
      const save = api().saveSession({
        key,
        content: { case: "data", value: {} },
        condition,
        expectedVersion: -1,
      });
      expectDetails(await failureOf(save), {
        code: status.INVALID_ARGUMENT,
        reason: "INVALID_FIELD",
        fields: ["expected_version"],
      });
    }
    expect(await redisSnapshot(redis)).toEqual(before);
  });
});

describe("writes answer a SessionInfo: a session's key, version and times, never its data", () => {
  it("declares SessionInfo in Create, Save and Touch's responses", () => {
    for (const schema of [
      CreateSessionResponseSchema,
      SaveSessionResponseSchema,
      TouchSessionResponseSchema,
    ]) {
      expect(schema.field.session.message?.typeName, schema.typeName).toBe(SESSION_INFO);
    }
  });

  it.each(SERVED_STORES)(
    "answers one from CreateSession, SaveSession and TouchSession ($strategy store)",
    async ({ store }) => {
      const created = (
        await api().createSession({
          store,
          content: { case: "data", value: { n: 1 } },
          idleTtl: { seconds: 600n },
        })
      ).session;
      const key = created?.key ?? "";
      const saved = (
        await api().saveSession({
          store,
          key,
          content: { case: "dataJson", value: '{"n":2}' },
          condition: SaveCondition.EXPECTED_VERSION,
          expectedVersion: 1,
        })
      ).session;
      const touched = (await api().touchSession({ store, key, idleTtl: { seconds: 1200n } })).session;

      for (const [rpc, info, version, ttl] of [
        ["CreateSession", created, 1, 600n],
        ["SaveSession", saved, 2, 600n],
        ["TouchSession", touched, 2, 1200n],
      ] as const) {
        expect(info?.$typeName, rpc).toBe(SESSION_INFO);
        expect(info, rpc).toMatchObject({ key, version, idleTtl: { seconds: ttl } });
        expect(Object.keys(info ?? {}), rpc).not.toContain("content");
      }
      // Reads answer a Session, with its data.
      const read = (await api().getSession({ store, key, dataFormat: DataFormat.JSON })).session;
      expect(read).toMatchObject({
        $typeName: SESSION,
        key,
        version: 2,
        content: { case: "dataJson", value: '{"n":2}' },
      });
    },
  );
});

describe("idle_ttl where nothing slides", () => {
  it("is refused in a GetSession without touch (INVALID_FIELD on `idle_ttl`), and the expiry stays", async () => {
    const key = await liveSession();
    const before = await redisSnapshot(redis);
    const read = api().getSession({ key, touch: false, idleTtl: { seconds: 60n } });
    expectDetails(await failureOf(read), {
      code: status.INVALID_ARGUMENT,
      reason: "INVALID_FIELD",
      fields: ["idle_ttl"],
    });
    expect(await redisSnapshot(redis)).toEqual(before);
    // With touch, the same idle TTL is taken.
    const slid = (await api().getSession({ key, touch: true, idleTtl: { seconds: 60n } })).session;
    expect(slid?.idleTtl?.seconds).toBe(60n);
  });
});

describe.each(SERVED_STORES)("data as JSON text, in the $strategy store", ({ store }) => {
  it("stores data_json as written; DATA_FORMAT_JSON reads it back byte for byte, from Get, BatchGet and Rotate", async () => {
    const created = (await api().createSession({ store, content: { case: "dataJson", value: EXACT_TEXT } }))
      .session;
    const key = created?.key ?? "";
    const asText = { case: "dataJson", value: EXACT_TEXT };

    expect((await api().getSession({ store, key, dataFormat: DataFormat.JSON })).session?.content).toEqual(
      asText,
    );
    const touching = await api().getSession({ store, key, touch: true, dataFormat: DataFormat.JSON });
    expect(touching.session?.content).toEqual(asText);
    const batch = await api().batchGetSessions({ store, keys: [key, newKey()], dataFormat: DataFormat.JSON });
    expect(batch.sessions.map((session) => [session.key, session.content])).toEqual([[key, asText]]);
    const rotated = (await api().rotateSessionKey({ store, key, dataFormat: DataFormat.JSON })).session;
    expect(rotated?.key).not.toBe(key);
    expect(rotated?.content).toEqual(asText);

    // A save of JSON text too.
    const text = '{"big":9007199254740993,"saved":true}';
    const rotatedKey = rotated?.key ?? "";
    await api().saveSession({
      store,
      key: rotatedKey,
      content: { case: "dataJson", value: text },
      condition: SaveCondition.MUST_EXIST,
    });
    const reread = await api().getSession({ store, key: rotatedKey, dataFormat: DataFormat.JSON });
    expect(reread.session?.content).toEqual({ case: "dataJson", value: text });
  });

  it("reads JSON text back as a Struct by default (and with DATA_FORMAT_STRUCT): doubles, -0 kept", async () => {
    const key =
      (await api().createSession({ store, content: { case: "dataJson", value: EXACT_TEXT } })).session?.key ??
      "";
    const expected = { big: 2 ** 53, zero: -0, s: "café", list: [1, 2.5] };
    for (const dataFormat of [DataFormat.UNSPECIFIED, DataFormat.STRUCT]) {
      const read = (await api().getSession({ store, key, dataFormat })).session;
      expect(read?.content.case).toBe("data");
      const data = read?.content.case === "data" ? read.content.value : undefined;
      expect(data).toEqual(expected);
      expect(Object.is(data?.zero, -0)).toBe(true);
      const batch = await api().batchGetSessions({ store, keys: [key], dataFormat });
      expect(batch.sessions[0]?.content).toEqual({ case: "data", value: expected });
    }
    const rotated = (await api().rotateSessionKey({ store, key })).session;
    expect(rotated?.content).toEqual({ case: "data", value: expected });
  });

  it("answers data written as a Struct as JSON text too", async () => {
    const key =
      (await api().createSession({ store, content: { case: "data", value: { n: 42, s: "x" } } })).session
        ?.key ?? "";
    const read = (await api().getSession({ store, key, dataFormat: DataFormat.JSON })).session;
    expect(read?.content.case).toBe("dataJson");
    expect(JSON.parse(read?.content.value as string)).toEqual({ n: 42, s: "x" });
  });
});

describe("data_json that is no session", () => {
  const MAX_DEPTH = 32;
  const tooLarge = JSON.stringify({ blob: "x".repeat(TEST_STORES.default.maxSessionBytes) });
  const invalid = { code: status.INVALID_ARGUMENT, reason: "INVALID_FIELD", fields: ["data_json"] } as const;
  /** What, in which store (the default one's maxSessionBytes is 4096; the "strings" one's 1 MiB), and the answer. */
  const refusals: [string, string, string, Parameters<typeof expectDetails>[1]][] = [
    ["not JSON", "", '{"a":', invalid],
    ["empty", "", "", invalid],
    ["an object followed by more", "", '{"a":1} {}', invalid],
    ["an array", "", "[1,2]", invalid],
    ["a string", "", '"text"', invalid],
    ["null", "", "null", invalid],
    ["a number JSON cannot spell", "", '{"n":NaN}', invalid],
    [
      `nested ${MAX_DEPTH + 1} levels`,
      "",
      deepJsonText(MAX_DEPTH + 1, "mixed"),
      {
        code: status.INVALID_ARGUMENT,
        reason: "DATA_TOO_DEEP",
        metadata: { max_depth: String(MAX_DEPTH) },
        fields: ["data_json"],
      },
    ],
    [
      "nested 100,000 levels",
      "strings",
      deepJsonText(100_000, "lists"),
      {
        code: status.INVALID_ARGUMENT,
        reason: "DATA_TOO_DEEP",
        metadata: { max_depth: String(MAX_DEPTH) },
        fields: ["data_json"],
      },
    ],
    [
      "larger than the store's maxSessionBytes",
      "",
      tooLarge,
      {
        code: status.RESOURCE_EXHAUSTED,
        reason: "DATA_TOO_LARGE",
        metadata: {
          limit_bytes: String(TEST_STORES.default.maxSessionBytes),
          size_bytes: String(Buffer.byteLength(tooLarge)),
        },
        fields: ["data_json"],
      },
    ],
  ];

  it.each(refusals)(
    "%s: refused by CreateSession and SaveSession, nothing stored",
    async (_what, store, text, expected) => {
      const live = await liveSession(store);
      const before = await redisSnapshot(redis);
      const content = { case: "dataJson" as const, value: text };
      expectDetails(await failureOf(api().createSession({ store, content })), expected);
      const create = SaveCondition.MUST_CREATE;
      expectDetails(
        await failureOf(api().saveSession({ store, key: newKey(), content, condition: create })),
        expected,
      );
      expectDetails(
        await failureOf(
          api().saveSession({ store, key: live, content, condition: SaveCondition.MUST_EXIST }),
        ),
        expected,
      );
      expect(await redisSnapshot(redis)).toEqual(before);
    },
  );

  it("refuses a data format it does not know (INVALID_FIELD on `data_format`)", async () => {
    const key = await liveSession();
    for (const call of [
      () => api().getSession({ key, dataFormat: 7 as DataFormat }),
      () => api().batchGetSessions({ keys: [key], dataFormat: 7 as DataFormat }),
      () => api().rotateSessionKey({ key, dataFormat: 7 as DataFormat }),
    ]) {
      expectDetails(await failureOf(call()), {
        code: status.INVALID_ARGUMENT,
        reason: "INVALID_FIELD",
        fields: ["data_format"],
      });
    }
    // The refused rotation moved nothing.
    expect((await api().touchSession({ key })).session?.key).toBe(key);
  });
});

describe.each(SERVED_STORES)("int32 versions, in the $strategy store", ({ store, config }) => {
  /**
   * Rewrites `key`'s record header with `version` (a number, or the bytes of a varint encodeHeader refuses to
   * write), keeping everything else, payload included.
   */
  async function setVersion(key: string, version: number | Buffer): Promise<void> {
    const { header, payload } = recordParts(await readRaw(redis, config, key));
    let encoded: Buffer;
    if (typeof version === "number") {
      encoded = encodeHeader({ ...header, version });
    } else {
      // Format 2: expiry (4 bytes), flags (1), then the version's varint: version 1 is the one byte at offset 5.
      const base = encodeHeader({ ...header, version: 1 });
      encoded = Buffer.concat([base.subarray(0, 5), version, base.subarray(6)]);
    }
    await writeRaw(redis, config, key, Buffer.concat([encoded, payload]));
  }

  it("wraps from 2^31 - 1 (the largest int32) to 1 on the next save", async () => {
    const key = await liveSession(store);
    await setVersion(key, VERSION_MAX);
    expect((await api().touchSession({ store, key })).session?.version).toBe(VERSION_MAX);
    const read = (await api().getSession({ store, key, dataFormat: DataFormat.JSON })).session;
    expect(read?.version).toBe(2 ** 31 - 1);

    const saved = await api().saveSession({
      store,
      key,
      content: { case: "data", value: { n: 2 } },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: VERSION_MAX,
    });
    expect(saved.session?.version).toBe(1);
    expect(recordParts(await readRaw(redis, config, key)).header.version).toBe(1);
    const next = api().saveSession({
      store,
      key,
      content: { case: "data", value: { n: 3 } },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: 1,
    });
    expect((await next).session?.version).toBe(2);
  });

  it("judges a stored version above 2^31 - 1 a corrupt record (DATA_LOSS), as no response could carry it", async () => {
    const key = await liveSession(store);
    // The varint of 2^31, which encodeHeader refuses to write.
    await setVersion(key, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]));
    expectDetails(await failureOf(api().getSession({ store, key, dataFormat: DataFormat.JSON })), {
      code: status.DATA_LOSS,
      reason: "RECORD_CORRUPT",
    });
    expectDetails(await failureOf(api().touchSession({ store, key })), {
      code: status.DATA_LOSS,
      reason: "RECORD_CORRUPT",
    });
  });
});
