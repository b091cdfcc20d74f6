import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  DeleteSessionRequestSchema,
  type GetSessionResponse,
  SaveCondition,
  type SaveSessionRequest,
  type Session,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import type { SessionClient } from "../../src/client/index.js";
import { connect, startFakeServer } from "./fake-session-server.js";

const KEY = "0123456789abcdef0123456789abcdef";
const NEW_KEY = "fedcba9876543210fedcba9876543210";
const CREATED = 1_700_000_000n;
/** Nested objects, arrays, every JSON scalar: what a google.protobuf.Struct must carry both ways. */
const DATA = { cart: [], user: { id: 7, name: "ann", admin: false }, tags: ["a", null, 1.5], note: null };
/** The largest uint32: a version must come back as the same non-negative number, not as -1. */
const MAX_UINT32 = 4_294_967_295;

function session(overrides: Partial<Omit<Session, "$typeName">> = {}) {
  return {
    key: KEY,
    data: DATA,
    version: 3,
    createTime: { seconds: CREATED },
    expireTime: { seconds: CREATED + 3600n, nanos: 0 },
    ...overrides,
  };
}

describe("every SessionService method round-trips through the client", () => {
  it("has a function for every method of the descriptor", async () => {
    const server = await startFakeServer({});
    const client = connect(server.target);
    for (const method of SessionService.methods) {
      expect(typeof (client as unknown as Record<string, unknown>)[method.localName]).toBe("function");
    }
    expect(typeof client.close).toBe("function");
  });

  it("createSession: Struct data and a Duration in, a Session with Timestamps out", async () => {
    const server = await startFakeServer({
      createSession: (request) => ({ session: session({ data: request.data }) }),
    });
    const client = connect(server.target);

    const response = await client.createSession({ data: DATA, ttl: { seconds: 3600n } });

    expect(server.calls[0]?.request).toMatchObject({
      store: "",
      data: DATA,
      ttl: { seconds: 3600n, nanos: 0 },
    });
    expect(response.$typeName).toBe("redisession.v1.CreateSessionResponse");
    expect(response.session?.data).toEqual(DATA);
    expect(response.session?.version).toBe(3);
    expect(response.session?.createTime?.seconds).toBe(CREATED);
    const expireTime = response.session?.expireTime;
    expect(expireTime && timestampDate(expireTime)).toEqual(new Date(Number(CREATED + 3600n) * 1000));
  });

  it("getSession: store, key, touch and ttl in; the session out", async () => {
    const server = await startFakeServer({
      getSession: () => ({ session: session({ version: MAX_UINT32 }) }),
    });
    const client = connect(server.target);

    const response = await client.getSession({
      store: "carts",
      key: KEY,
      touch: true,
      ttl: { seconds: 60n },
    });

    expect(server.calls[0]?.request).toMatchObject({
      store: "carts",
      key: KEY,
      touch: true,
      ttl: { seconds: 60n },
    });
    expect(response.session?.key).toBe(KEY);
    expect(response.session?.version).toBe(MAX_UINT32);
    expect(response.session?.data).toEqual(DATA);
  });

  it("batchGetSessions: repeated keys in; sessions, missing and corrupt keys out", async () => {
    const server = await startFakeServer({
      batchGetSessions: (request) => ({
        sessions: [session({ key: request.keys[0] ?? "" })],
        missingKeys: [request.keys[1] ?? ""],
        corruptKeys: [request.keys[2] ?? ""],
      }),
    });
    const client = connect(server.target);
    const keys = [KEY, NEW_KEY, "a".repeat(32)];

    const response = await client.batchGetSessions({ keys });

    expect(server.calls[0]?.request).toMatchObject({ keys });
    expect(response.sessions.map((found) => found.key)).toEqual([KEY]);
    expect(response.missingKeys).toEqual([NEW_KEY]);
    expect(response.corruptKeys).toEqual(["a".repeat(32)]);
  });

  it("saveSession: the SaveCondition enum and a uint32 expected version in; the new version out", async () => {
    const server = await startFakeServer({
      saveSession: (request) => ({
        session: session({ version: request.expectedVersion + 1, data: undefined }),
      }),
    });
    const client = connect(server.target);

    const response = await client.saveSession({
      key: KEY,
      data: { cart: ["book"] },
      ttl: { seconds: 1800n },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: MAX_UINT32 - 1,
    });

    const request = server.calls[0]?.request as SaveSessionRequest;
    expect(request.condition).toBe(SaveCondition.EXPECTED_VERSION);
    expect(request.expectedVersion).toBe(MAX_UINT32 - 1);
    expect(request.data).toEqual({ cart: ["book"] });
    expect(response.session?.version).toBe(MAX_UINT32);
    expect(response.session?.data).toBeUndefined();
  });

  it("touchSession: a Duration with nanos in; the session's times out", async () => {
    const server = await startFakeServer({ touchSession: () => ({ session: session({ data: undefined }) }) });
    const client = connect(server.target);

    const response = await client.touchSession({ key: KEY, ttl: { seconds: 120n, nanos: 5 } });

    expect(server.calls[0]?.request).toMatchObject({ key: KEY, ttl: { seconds: 120n, nanos: 5 } });
    expect(response.session?.expireTime?.seconds).toBe(CREATED + 3600n);
  });

  it("deleteSession: a bool out", async () => {
    const server = await startFakeServer({ deleteSession: () => ({ existed: true }) });
    const client = connect(server.target);

    const response = await client.deleteSession({ store: "carts", key: KEY });

    expect(server.calls[0]?.request).toMatchObject({ store: "carts", key: KEY });
    expect(response.existed).toBe(true);
  });

  it("rotateSessionKey: the session under its new key out", async () => {
    const server = await startFakeServer({
      rotateSessionKey: () => ({ session: session({ key: NEW_KEY }) }),
    });
    const client = connect(server.target);

    const response = await client.rotateSessionKey({ key: KEY });

    expect(server.calls[0]?.request).toMatchObject({ key: KEY });
    expect(response.session?.key).toBe(NEW_KEY);
  });

  it("accepts a complete message as well as an init object", async () => {
    const server = await startFakeServer({ deleteSession: () => ({ existed: false }) });
    const client = connect(server.target);

    const response = await client.deleteSession(create(DeleteSessionRequestSchema, { key: NEW_KEY }));

    expect(response.existed).toBe(false);
    expect(server.calls[0]?.request).toMatchObject({ key: NEW_KEY });
  });
});

describe("the client's type is derived from the descriptor", () => {
  it("types requests as init objects and responses as messages", () => {
    expectTypeOf<Awaited<ReturnType<SessionClient["getSession"]>>>().toEqualTypeOf<GetSessionResponse>();
    expectTypeOf<Parameters<SessionClient["createSession"]>[0]>().toExtend<{
      data?: { [key: string]: unknown };
      ttl?: { seconds?: bigint; nanos?: number };
    }>();
    expectTypeOf<keyof SessionClient>().toEqualTypeOf<
      | "createSession"
      | "getSession"
      | "batchGetSessions"
      | "saveSession"
      | "touchSession"
      | "deleteSession"
      | "rotateSessionKey"
      | "close"
    >();
  });

  it("rejects wrong field types at compile time", () => {
    // Never called: these lines only have to fail type-checking.
    const misuse = (client: SessionClient) => [
      // @ts-expect-error a TTL is a Duration, not a number of seconds
      client.createSession({ ttl: 3600 }),
      // @ts-expect-error Duration seconds are a bigint
      client.touchSession({ key: KEY, ttl: { seconds: 60 } }),
      // @ts-expect-error condition is the SaveCondition enum
      client.saveSession({ key: KEY, condition: "upsert" }),
      // @ts-expect-error no such method
      client.listSessions({}),
    ];
    expect(typeof misuse).toBe("function");
  });
});
