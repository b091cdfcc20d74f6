import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  DataFormat,
  DeleteSessionRequestSchema,
  type GetSessionResponse,
  SaveCondition,
  type SaveSessionRequest,
  type Session,
  type SessionInfo,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import type { SessionClient } from "../../src/client/index.js";
import { connect, startFakeServer } from "./fake-session-server.js";

const KEY = "0123456789abcdef0123456789abcdef";
const NEW_KEY = "fedcba9876543210fedcba9876543210";
const CREATED = 1_700_000_000n;
/** Nested objects, arrays, every JSON scalar: what a google.protobuf.Struct must carry both ways. */
const DATA = { cart: [], user: { id: 7, name: "ann", admin: false }, tags: ["a", null, 1.5], note: null };
/** The largest int32 (versions are int32): a version must come back as the same number, not wrapped. */
const MAX_INT32 = 2_147_483_647;

function session(overrides: Partial<Omit<Session, "$typeName">> = {}) {
  return {
    key: KEY,
    content: { case: "data" as const, value: DATA },
    version: 3,
    createTime: { seconds: CREATED },
    expireTime: { seconds: CREATED + 3600n, nanos: 0 },
    ...overrides,
  };
}

/** What writes answer: a session without its data. */
function sessionInfo(overrides: Partial<Omit<SessionInfo, "$typeName">> = {}) {
  return {
    key: KEY,
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

  it("createSession: Struct data and a Duration in, a SessionInfo with Timestamps out", async () => {
    const server = await startFakeServer({
      createSession: () => ({ session: sessionInfo() }),
    });
    const client = connect(server.target);

    const response = await client.createSession({
      content: { case: "data", value: DATA },
      idleTtl: { seconds: 3600n },
    });

    expect(server.calls[0]?.request).toMatchObject({
      store: "",
      content: { case: "data", value: DATA },
      idleTtl: { seconds: 3600n, nanos: 0 },
    });
    expect(response.$typeName).toBe("redisession.v1.CreateSessionResponse");
    expect(response.session?.$typeName).toBe("redisession.v1.SessionInfo");
    expect(response.session?.key).toBe(KEY);
    expect(response.session?.version).toBe(3);
    expect(response.session?.createTime?.seconds).toBe(CREATED);
    const expireTime = response.session?.expireTime;
    expect(expireTime && timestampDate(expireTime)).toEqual(new Date(Number(CREATED + 3600n) * 1000));
  });

  it("getSession: store, key, touch and idle TTL in; the session out", async () => {
    const server = await startFakeServer({
      getSession: () => ({ session: session({ version: MAX_INT32 }) }),
    });
    const client = connect(server.target);

    const response = await client.getSession({
      store: "carts",
      key: KEY,
      touch: true,
      idleTtl: { seconds: 60n },
    });

    expect(server.calls[0]?.request).toMatchObject({
      store: "carts",
      key: KEY,
      touch: true,
      idleTtl: { seconds: 60n },
      dataFormat: DataFormat.UNSPECIFIED,
    });
    expect(response.session?.key).toBe(KEY);
    expect(response.session?.version).toBe(MAX_INT32);
    expect(response.session?.content).toEqual({ case: "data", value: DATA });
  });

  it("getSession: DATA_FORMAT_JSON in; the data as JSON text out, its integers exact", async () => {
    const text = '{"id":9007199254740993,"z":-0}';
    const server = await startFakeServer({
      getSession: () => ({ session: session({ content: { case: "dataJson", value: text } }) }),
    });
    const client = connect(server.target);

    const response = await client.getSession({ key: KEY, dataFormat: DataFormat.JSON });

    expect(server.calls[0]?.request).toMatchObject({ key: KEY, dataFormat: DataFormat.JSON });
    expect(response.session?.content).toEqual({ case: "dataJson", value: text });
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

  it("saveSession: the SaveCondition enum and an int32 expected version in; the new version out", async () => {
    const server = await startFakeServer({
      saveSession: (request) => ({
        session: sessionInfo({ version: request.expectedVersion + 1 }),
      }),
    });
    const client = connect(server.target);

    const response = await client.saveSession({
      key: KEY,
      content: { case: "data", value: { cart: ["book"] } },
      idleTtl: { seconds: 1800n },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: MAX_INT32 - 1,
    });

    const request = server.calls[0]?.request as SaveSessionRequest;
    expect(request.condition).toBe(SaveCondition.EXPECTED_VERSION);
    expect(request.expectedVersion).toBe(MAX_INT32 - 1);
    expect(request.content).toEqual({ case: "data", value: { cart: ["book"] } });
    expect(request.idleTtl).toMatchObject({ seconds: 1800n });
    expect(response.session?.version).toBe(MAX_INT32);
    expect(response.session?.$typeName).toBe("redisession.v1.SessionInfo");
  });

  it("saveSession: data as JSON text in, as written", async () => {
    const text = '{"id":9007199254740993}';
    const server = await startFakeServer({ saveSession: () => ({ session: sessionInfo() }) });
    const client = connect(server.target);

    await client.saveSession({
      key: KEY,
      content: { case: "dataJson", value: text },
      condition: SaveCondition.MUST_EXIST,
    });

    const request = server.calls[0]?.request as SaveSessionRequest;
    expect(request.content).toEqual({ case: "dataJson", value: text });
    expect(request.condition).toBe(SaveCondition.MUST_EXIST);
  });

  it("touchSession: a Duration with nanos in; the session's times out", async () => {
    const server = await startFakeServer({ touchSession: () => ({ session: sessionInfo() }) });
    const client = connect(server.target);

    const response = await client.touchSession({ key: KEY, idleTtl: { seconds: 120n, nanos: 5 } });

    expect(server.calls[0]?.request).toMatchObject({ key: KEY, idleTtl: { seconds: 120n, nanos: 5 } });
    expect(response.session?.$typeName).toBe("redisession.v1.SessionInfo");
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
      content?:
        | { case: "data"; value: { [key: string]: unknown } }
        | { case: "dataJson"; value: string }
        | { case: undefined; value?: undefined };
      idleTtl?: { seconds?: bigint; nanos?: number };
    }>();
    expectTypeOf<Awaited<ReturnType<SessionClient["saveSession"]>>["session"]>().toEqualTypeOf<
      SessionInfo | undefined
    >();
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
      client.createSession({ idleTtl: 3600 }),
      // @ts-expect-error Duration seconds are a bigint
      client.touchSession({ key: KEY, idleTtl: { seconds: 60 } }),
      // @ts-expect-error condition is the SaveCondition enum
      client.saveSession({ key: KEY, condition: "mustCreate" }),
      // @ts-expect-error session data is in the content oneof
      client.saveSession({ key: KEY, data: {}, condition: SaveCondition.MUST_CREATE }),
      // @ts-expect-error no such method
      client.listSessions({}),
    ];
    expect(typeof misuse).toBe("function");
  });
});
