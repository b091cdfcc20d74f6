import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import type { CreateSessionRequestSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { createClient, sessionData } from "../../src/client/index.js";
import { DEFAULT_REQUEST_ID_TTL } from "../../src/config/config-schema.js";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { readRequestRecord, storedSessionCount } from "../support/request-records.js";
import { SERVED_STORES, useServer } from "../support/server-fixture.js";

/**
 * request_id (AIP-155) through a real server and the shipped client: CreateSession repeated with the same id
 * answers the same session and stores one; a reused or malformed id is refused with the documented reason and
 * field; a repeated RotateSessionKey answers the session under the key the first moved it to. (The store-level
 * tests cover every recovery path.)
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;

describe.each(SERVED_STORES)(
  "CreateSession with a request_id, store $store ($strategy)",
  ({ store, config }) => {
    it("answers a repeat with the first SessionInfo and stores one session", async () => {
      const requestId = randomUUID();
      const request: MessageInitShape<typeof CreateSessionRequestSchema> = {
        store,
        content: { case: "data", value: { user: 42, roles: ["admin"] } },
        idleTtl: { seconds: 900n },
        requestId,
      };
      const first = await api().createSession(request);
      const repeat = await api().createSession(request);
      expect(repeat.session).toEqual(first.session);
      expect(first.session?.key).toMatch(/^[0-9a-f]{32}$/);
      expect(await storedSessionCount(redis, config)).toBe(1);
      expect(await readRequestRecord(redis, config, requestId)).toMatchObject({
        kind: "create",
        done: true,
        key: first.session?.key,
      });
    });

    it("refuses the request_id back with other data: REQUEST_ID_REUSED, naming request_id", async () => {
      const requestId = randomUUID();
      await api().createSession({ store, content: { case: "dataJson", value: '{"n":1}' }, requestId });
      const error = await failureOf(
        api().createSession({ store, content: { case: "dataJson", value: '{"n":2}' }, requestId }),
      );
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.reason).toBe("REQUEST_ID_REUSED");
      expect(error.fieldViolations.map((violation) => violation.field)).toEqual(["request_id"]);
      expect(await storedSessionCount(redis, config)).toBe(1);
    });

    it("refuses a malformed request_id as INVALID_FIELD naming request_id, storing nothing", async () => {
      const error = await failureOf(api().createSession({ store, requestId: randomUUID().toUpperCase() }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.reason).toBe("INVALID_FIELD");
      expect(error.fieldViolations.map((violation) => violation.field)).toEqual(["request_id"]);
      expect(await redis.raw("DBSIZE")).toBe(0);
    });

    it("without a request_id, creates a session per call", async () => {
      const [a, b] = [await api().createSession({ store }), await api().createSession({ store })];
      expect(a.session?.key).not.toBe(b.session?.key);
      expect(await storedSessionCount(redis, config)).toBe(2);
    });
  },
);

describe("RotateSessionKey with a request_id", () => {
  it.each(SERVED_STORES)(
    "answers a repeat whose first answer was lost with the session under its new key (store $store)",
    async ({ store }) => {
      const requestId = randomUUID();
      const created = await api().createSession({ store, content: { case: "data", value: { user: 7 } } });
      const key = created.session?.key ?? "";
      const first = (await api().rotateSessionKey({ store, key, requestId })).session;
      // The caller never saw `first` (its answer was lost) and repeats the same request.
      const repeat = (await api().rotateSessionKey({ store, key, requestId })).session;
      expect(repeat?.key).toBe(first?.key);
      expect(repeat?.key).not.toBe(key);
      expect(sessionData(repeat)).toEqual({ user: 7 });
      expect((await failureOf(api().getSession({ store, key }))).reason).toBe("SESSION_NOT_FOUND");
      // Without the request_id the repeat has nothing left to move.
      expect((await failureOf(api().rotateSessionKey({ store, key }))).reason).toBe("SESSION_NOT_FOUND");
    },
  );

  it("refuses a create's request_id, moving nothing", async () => {
    const requestId = randomUUID();
    const created = await api().createSession({ requestId });
    const key = created.session?.key ?? "";
    const error = await failureOf(api().rotateSessionKey({ key, requestId }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.reason).toBe("REQUEST_ID_REUSED");
    expect(error.fieldViolations.map((violation) => violation.field)).toEqual(["request_id"]);
    expect((await api().touchSession({ key })).session?.key).toBe(key);
  });

  it("refuses a malformed request_id as INVALID_FIELD naming request_id, moving nothing", async () => {
    const key = (await api().createSession({})).session?.key ?? "";
    const error = await failureOf(api().rotateSessionKey({ key, requestId: "42" }));
    expect(error.reason).toBe("INVALID_FIELD");
    expect(error.fieldViolations.map((violation) => violation.field)).toEqual(["request_id"]);
    expect((await api().touchSession({ key })).session?.key).toBe(key);
  });
});

describe("ListStores", () => {
  let admin: ReturnType<typeof createClient<typeof SessionAdminService>>;
  beforeAll(() => {
    admin = createClient(SessionAdminService, `127.0.0.1:${served.server.port}`, { retry: false });
  });
  afterAll(() => admin.close());

  it("shows each store's requestIdTtl", async () => {
    const { stores } = await admin.listStores({});
    expect(stores.map((store) => store.requestIdTtl?.seconds)).toEqual([
      BigInt(DEFAULT_REQUEST_ID_TTL),
      BigInt(DEFAULT_REQUEST_ID_TTL),
    ]);
  });
});
