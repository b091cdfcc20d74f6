import { randomBytes } from "node:crypto";
import { type Client, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition, SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { createClient } from "../../src/client/index.js";
import { MAX_BATCH_KEYS } from "../../src/server/session-handlers.js";
import { failureOf } from "../support/call-helpers.js";
import { rawClient, unary } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { type ExpectedDetails, expectDetails, rawStatus, trailerText } from "../support/status-details.js";
import { rawLocation, readRaw, storeConfig, writeRaw } from "../support/store-fixture.js";

/**
 * Every reason the shared test server can be made to send, provoked through the shipped client against a real
 * server and Redis, with the code, reason, ErrorInfo metadata and field violations each must carry (AIP-193). The
 * reasons that need a Redis of their own (unavailable, deadline, concurrent rotation) are in
 * error-details-backend.test.ts; the auth refusals in test/security/error-details.test.ts.
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;
const newKey = () => randomBytes(16).toString("hex");

let admin: ReturnType<typeof createClient<typeof SessionAdminService>>;
let raw: Client;
beforeAll(() => {
  admin = createClient(SessionAdminService, `127.0.0.1:${served.server.port}`, { retry: false });
  raw = rawClient(`127.0.0.1:${served.server.port}`);
});
afterAll(() => {
  admin.close();
  raw.close();
});

const STRINGS = storeConfig({ ...TEST_STORES.strings, prefix: "strings:" });
const BIG = { blob: "x".repeat(5000) };
const BIG_JSON_BYTES = Buffer.byteLength(JSON.stringify(BIG));

/** A live session of the default store, version 1. */
async function liveSession(store = ""): Promise<string> {
  return (
    (await api().createSession({ store, content: { case: "data", value: { n: 1 } } })).session?.key ?? ""
  );
}

interface Case extends ExpectedDetails {
  readonly call: () => Promise<unknown>;
}

const cases: Record<string, Case> = {
  "a malformed key": {
    call: () => api().getSession({ key: "short" }),
    code: status.INVALID_ARGUMENT,
    reason: "MALFORMED_KEY",
    fields: ["key"],
  },
  "an upper-case key in a save": {
    call: () =>
      api().saveSession({
        key: newKey().toUpperCase(),
        content: { case: "data", value: {} },
        condition: SaveCondition.MUST_CREATE,
      }),
    code: status.INVALID_ARGUMENT,
    reason: "MALFORMED_KEY",
    fields: ["key"],
  },
  "a malformed key in a batch, at its index": {
    call: () => api().batchGetSessions({ keys: [newKey(), newKey(), "not-a-key", newKey()] }),
    code: status.INVALID_ARGUMENT,
    reason: "MALFORMED_KEY",
    fields: ["keys[2]"],
  },
  "a malformed key in a batch, at its first occurrence after a repeated good key": (() => {
    const good = newKey();
    return {
      call: () => api().batchGetSessions({ keys: [good, good, good, "x", "x"] }),
      code: status.INVALID_ARGUMENT,
      reason: "MALFORMED_KEY",
      fields: ["keys[3]"],
    } as const;
  })(),
  "an unknown store": {
    call: () => api().getSession({ store: "nope", key: newKey() }),
    code: status.INVALID_ARGUMENT,
    reason: "UNKNOWN_STORE",
    metadata: { store: "nope" },
    fields: ["store"],
  },
  "an unknown store with a name longer than any store's, cut in the metadata": {
    call: () => api().createSession({ store: `${"s".repeat(64)}${"t".repeat(10_000)}` }),
    code: status.INVALID_ARGUMENT,
    reason: "UNKNOWN_STORE",
    metadata: { store: `${"s".repeat(64)}…` },
    fields: ["store"],
  },
  "a TTL of 0": {
    call: () => api().createSession({ idleTtl: { seconds: 0n } }),
    code: status.INVALID_ARGUMENT,
    reason: "TTL_OUT_OF_RANGE",
    metadata: { min_seconds: "1", max_seconds: String(TEST_STORES.default.maxTtl) },
    fields: ["idle_ttl"],
  },
  "a TTL over the store's maxTtl, in a touch": {
    call: async () => api().touchSession({ key: await liveSession(), idleTtl: { seconds: 86_401n } }),
    code: status.INVALID_ARGUMENT,
    reason: "TTL_OUT_OF_RANGE",
    metadata: { min_seconds: "1", max_seconds: "86400" },
    fields: ["idle_ttl"],
  },
  "a TTL with a fraction of a second": {
    call: () =>
      api().saveSession({
        key: newKey(),
        idleTtl: { seconds: 10n, nanos: 5 },
        condition: SaveCondition.MUST_CREATE,
      }),
    code: status.INVALID_ARGUMENT,
    reason: "TTL_OUT_OF_RANGE",
    metadata: { min_seconds: "1", max_seconds: "86400" },
    fields: ["idle_ttl"],
  },
  "an expected_version without SAVE_CONDITION_EXPECTED_VERSION": {
    call: () => api().saveSession({ key: newKey(), condition: SaveCondition.MUST_EXIST, expectedVersion: 3 }),
    code: status.INVALID_ARGUMENT,
    reason: "INVALID_FIELD",
    fields: ["expected_version"],
  },
  "SAVE_CONDITION_EXPECTED_VERSION without an expected_version": {
    call: () => api().saveSession({ key: newKey(), condition: SaveCondition.EXPECTED_VERSION }),
    code: status.INVALID_ARGUMENT,
    reason: "INVALID_FIELD",
    fields: ["expected_version"],
  },
  "a save condition the service does not know": {
    call: () => api().saveSession({ key: newKey(), condition: 99 as SaveCondition }),
    code: status.INVALID_ARGUMENT,
    reason: "INVALID_FIELD",
    fields: ["condition"],
  },
  "data holding NaN": {
    call: () => api().createSession({ content: { case: "data", value: { x: Number.NaN } } }),
    code: status.INVALID_ARGUMENT,
    reason: "INVALID_FIELD",
    fields: ["data"],
  },
  "data larger than the store's maxSessionBytes": {
    call: () =>
      api().saveSession({
        key: newKey(),
        content: { case: "data", value: BIG },
        condition: SaveCondition.MUST_CREATE,
      }),
    code: status.RESOURCE_EXHAUSTED,
    reason: "DATA_TOO_LARGE",
    metadata: {
      limit_bytes: String(TEST_STORES.default.maxSessionBytes),
      size_bytes: String(BIG_JSON_BYTES),
    },
    fields: ["data"],
  },
  "more keys than one batch may ask for": {
    call: () => api().batchGetSessions({ keys: Array.from({ length: MAX_BATCH_KEYS + 1 }, newKey) }),
    code: status.INVALID_ARGUMENT,
    reason: "TOO_MANY_KEYS",
    metadata: { max_keys: String(MAX_BATCH_KEYS) },
    fields: ["keys"],
  },
  "a MUST_CREATE save of a live session": {
    call: async () =>
      api().saveSession({
        key: await liveSession(),
        content: { case: "data", value: {} },
        condition: SaveCondition.MUST_CREATE,
      }),
    code: status.ALREADY_EXISTS,
    reason: "SESSION_EXISTS",
  },
  "a GetSession of a missing session": {
    call: () => api().getSession({ key: newKey() }),
    code: status.NOT_FOUND,
    reason: "SESSION_NOT_FOUND",
  },
  "a MUST_EXIST save of a missing session": {
    call: () =>
      api().saveSession({
        key: newKey(),
        content: { case: "data", value: {} },
        condition: SaveCondition.MUST_EXIST,
      }),
    code: status.NOT_FOUND,
    reason: "SESSION_NOT_FOUND",
  },
  "a TouchSession of a missing session in the string store": {
    call: () => api().touchSession({ store: "strings", key: newKey() }),
    code: status.NOT_FOUND,
    reason: "SESSION_NOT_FOUND",
  },
  "a RotateSessionKey of a missing session": {
    call: () => api().rotateSessionKey({ key: newKey() }),
    code: status.NOT_FOUND,
    reason: "SESSION_NOT_FOUND",
  },
  "an EXPECTED_VERSION save that lost to another writer": {
    call: async () => {
      const key = await liveSession();
      const mustExist = SaveCondition.MUST_EXIST;
      await api().saveSession({ key, content: { case: "data", value: { n: 2 } }, condition: mustExist });
      await api().saveSession({ key, content: { case: "data", value: { n: 3 } }, condition: mustExist });
      return api().saveSession({
        key,
        content: { case: "data", value: {} },
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 1,
      });
    },
    code: status.ABORTED,
    reason: "VERSION_MISMATCH",
    metadata: { current_version: "3" },
  },
  "a stored record that cannot be decoded": {
    call: async () => {
      const key = await liveSession("strings");
      await writeRaw(redis, STRINGS, key, Buffer.from("garbage"));
      return api().getSession({ store: "strings", key });
    },
    code: status.DATA_LOSS,
    reason: "RECORD_CORRUPT",
  },
  // A key of another type where a session's String should be: Redis answers WRONGTYPE, which no rule names.
  "a Redis error that is no outage (WRONGTYPE)": {
    call: async () => {
      const key = newKey();
      await redis.raw("HSET", rawLocation(STRINGS, key).redisKey, "not", "a session");
      return api().getSession({ store: "strings", key });
    },
    code: status.INTERNAL,
    reason: "INTERNAL",
  },
};

describe("SessionService failures carry google.rpc.Status details (AIP-193)", () => {
  it.each(Object.entries(cases))("%s", async (_what, { call, ...expected }) => {
    expectDetails(await failureOf(call()), expected);
  });

  it("INTERNAL says nothing of its cause, in the message or in the details", async () => {
    const key = newKey();
    await redis.raw("HSET", rawLocation(STRINGS, key).redisKey, "not", "a session");
    const error = await failureOf(api().getSession({ store: "strings", key }));
    expect(error.details).toBe("internal error");
    // Case-sensitive: the domain, "redisession", is no leak.
    expect(trailerText(error)).not.toMatch(/WRONGTYPE|Redis|refused/);
    expect(rawStatus(error.metadata).status.message).toBe("internal error");
  });

  it("a corrupt record leaves the record in place (the details change nothing stored)", async () => {
    const key = await liveSession("strings");
    await writeRaw(redis, STRINGS, key, Buffer.from("garbage"));
    expectDetails(await failureOf(api().rotateSessionKey({ store: "strings", key })), {
      code: status.DATA_LOSS,
      reason: "RECORD_CORRUPT",
    });
    expect(await readRaw(redis, STRINGS, key)).toEqual(Buffer.from("garbage"));
  });

  it("no detail quotes a session key or session data", async () => {
    // A key with the right length but upper case is still a credential-shaped secret: never echoed.
    const secretKey = "ABCDEF0123456789ABCDEF0123456789";
    const secretData = { token: "s3cr3t-value-".repeat(400) };
    const key = await liveSession();
    for (const call of [
      () => api().getSession({ key: secretKey }),
      () => api().batchGetSessions({ keys: [key, secretKey] }),
      () =>
        api().saveSession({
          key: newKey(),
          content: { case: "data", value: secretData },
          condition: SaveCondition.MUST_CREATE,
        }),
      () =>
        api().saveSession({
          key,
          content: { case: "data", value: { n: 9 } },
          condition: SaveCondition.EXPECTED_VERSION,
          expectedVersion: 7,
        }),
      () =>
        api().saveSession({
          key,
          content: { case: "data", value: { n: 9 } },
          condition: SaveCondition.MUST_CREATE,
        }),
    ]) {
      const error = await failureOf(call());
      const trailer = trailerText(error);
      expect(trailer).not.toContain(secretKey);
      expect(trailer).not.toContain(key);
      expect(trailer).not.toContain("s3cr3t");
    }
  });
});

describe("SessionAdminService failures carry the same details", () => {
  it.each([
    ["PurgeExpired", () => admin.purgeExpired({ store: "nope" })],
    ["GetStoreStats", () => admin.getStoreStats({ store: "nope" })],
  ])("%s of an unknown store: UNKNOWN_STORE", async (_method, call) => {
    expectDetails(await failureOf(call()), {
      code: status.INVALID_ARGUMENT,
      reason: "UNKNOWN_STORE",
      metadata: { store: "nope" },
      fields: ["store"],
    });
  });
});

describe("the grpc-status-details-bin trailer, decoded without the shipped client", () => {
  /** A raw grpc-js call's failure: its ServiceError, with the trailers as grpc-js received them. */
  async function rawFailure(call: Promise<unknown>): Promise<ServiceError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e as ServiceError,
    );
    expect(error, "the call should have failed").toBeDefined();
    return error as ServiceError;
  }

  it("is a google.rpc.Status with the call's code and message, an ErrorInfo and a BadRequest", async () => {
    const error = await rawFailure(
      unary(raw, SessionService.method.batchGetSessions, { keys: [newKey(), "bad"] }, 5_000, new Metadata()),
    );
    const decoded = rawStatus(error.metadata);

    expect(decoded.status.code).toBe(error.code);
    expect(decoded.status.code).toBe(status.INVALID_ARGUMENT);
    expect(decoded.status.message).toBe(error.details);
    expect(decoded.typeUrls).toEqual([
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.BadRequest",
    ]);
    expect(decoded.errorInfos).toHaveLength(1);
    expect(decoded.errorInfos[0]).toMatchObject({
      reason: "MALFORMED_KEY",
      domain: "redisession",
      metadata: {},
    });
    expect(decoded.badRequests[0]?.fieldViolations).toEqual([
      expect.objectContaining({ field: "keys[1]", description: error.details, reason: "MALFORMED_KEY" }),
    ]);
  });

  it("carries the metadata of the reason: current_version of a lost compare-and-set", async () => {
    const key = await liveSession();
    const error = await rawFailure(
      unary(raw, SessionService.method.saveSession, {
        key,
        condition: SaveCondition.EXPECTED_VERSION,
        expectedVersion: 5,
      }),
    );
    const decoded = rawStatus(error.metadata);
    expect(error.code).toBe(status.ABORTED);
    expect(decoded.status.code).toBe(status.ABORTED);
    expect(decoded.errorInfos).toEqual([
      expect.objectContaining({
        reason: "VERSION_MISMATCH",
        domain: "redisession",
        metadata: { current_version: "1" },
      }),
    ]);
    // A conflict is no bad field: no BadRequest.
    expect(decoded.badRequests).toEqual([]);
  });

  it("is sent on a NOT_FOUND too, with the reason only", async () => {
    const error = await rawFailure(unary(raw, SessionService.method.getSession, { key: newKey() }));
    const decoded = rawStatus(error.metadata);
    expect(decoded.status).toMatchObject({ code: status.NOT_FOUND, message: error.details });
    expect(decoded.typeUrls).toEqual(["type.googleapis.com/google.rpc.ErrorInfo"]);
    expect(decoded.errorInfos[0]).toMatchObject({ reason: "SESSION_NOT_FOUND", domain: "redisession" });
  });
});
