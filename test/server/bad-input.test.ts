import { randomBytes } from "node:crypto";
import { type DescMethod, fromBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
// Seeded, so a failure can be replayed from the seed in its message.
import { seededRandom } from "../../bench/support/random.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition, SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodPath } from "../../src/rpc/method-definitions.js";
import { outcomeOf } from "../support/call-outcomes.js";
import { grpcFrame, rawGrpcPost } from "../support/raw-http2.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { useServer } from "../support/server-fixture.js";

const redis = useRedis();
const served = useServer();
const api = () => served.client;
const target = () => `127.0.0.1:${served.server.port}`;

/** The server still answers a normal call, correctly. */
async function stillServes(key: string): Promise<void> {
  expect((await api().getSession({ key })).session?.key).toBe(key);
}

/**
 * Request bodies that break the wire format, each differently. Most break it for any message; the UTF-8 one only
 * for a message with a string field 1 (the others keep it as an unknown field), so each method gets only the
 * bodies its request cannot be parsed from.
 */
const CRAFTED_GARBAGE: Record<string, Buffer> = {
  "field number 0": Buffer.from([0x00, 0x01]),
  "wire type 7": Buffer.from([0x0f, 0x01, 0x02]),
  "wire type 6": Buffer.from([0x0e, 0x01, 0x02]),
  "length beyond the end": Buffer.from([0x12, 0x7f, 0x01, 0x02, 0x03]),
  "unterminated varint": Buffer.from([0x08, 0xff, 0xff]),
  "invalid UTF-8 in a string field": Buffer.from([0x0a, 0x02, 0xff, 0xfe]),
  "group never closed": Buffer.from([0x0b, 0x08, 0x01]),
};

/** `count` random byte strings (1 to 64 bytes) that the request message of `method` cannot be parsed from. */
function randomGarbage(method: DescMethod, seed: number, count: number): Buffer[] {
  const random = seededRandom(seed);
  const garbage: Buffer[] = [];
  while (garbage.length < count) {
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => random() * 256));
    if (!parses(method, bytes)) garbage.push(bytes);
  }
  return garbage;
}

/** Whether the request message of `method` can be parsed from `bytes`. */
function parses(method: DescMethod, bytes: Buffer): boolean {
  try {
    fromBinary(method.input, bytes);
    return true;
  } catch {
    return false;
  }
}

describe("garbage request messages", () => {
  it.each(
    [...SessionService.methods, ...SessionAdminService.methods].map(
      (method) => [method.name, method] as const,
    ),
  )(
    "%s answers INTERNAL to bytes that are no request, and the server serves the next call",
    async (_name, method) => {
      const live =
        (await api().createSession({ content: { case: "data", value: { live: true } } })).session?.key ?? "";
      const seed = Date.now() >>> 0;
      const bodies = [
        ...Object.entries(CRAFTED_GARBAGE).filter(([, bytes]) => !parses(method, bytes)),
        ...randomGarbage(method, seed, 20).map(
          (bytes, i) => [`random #${i} of seed ${seed}`, bytes] as const,
        ),
      ];
      for (const [what, bytes] of bodies) {
        const reply = await rawGrpcPost(target(), methodPath(method), grpcFrame(bytes));
        expect(reply.grpcStatus, `${what}: ${bytes.toString("hex")}`).toBe(status.INTERNAL);
        await stillServes(live);
      }
    },
  );

  it("answers broken gRPC framing with a status (never OK or UNKNOWN), and the server serves the next call", async () => {
    const live = (await api().createSession({})).session?.key ?? "";
    const path = methodPath(SessionService.method.getSession);
    const valid = Buffer.from([0x12, 0x20, ...Buffer.from(live)]); // GetSessionRequest{key: live}
    const cases: [string, Buffer, Record<string, string>?][] = [
      ["no message at all", Buffer.alloc(0)],
      ["a prefix cut short", Buffer.from([0, 0, 0])],
      ["a length beyond the body", grpcFrame(valid, { length: 1_000 })],
      ["a length larger than any message may be", grpcFrame(valid, { length: 0xffff_ffff })],
      ["a length shorter than the message", grpcFrame(valid, { length: 2 })],
      ["two messages for a unary method", Buffer.concat([grpcFrame(valid), grpcFrame(valid)])],
      [
        "a gzip flag on bytes that are not gzip",
        grpcFrame(valid, { compressed: true }),
        { "grpc-encoding": "gzip" },
      ],
      [
        "an encoding the server does not know",
        grpcFrame(valid, { compressed: true }),
        { "grpc-encoding": "snappy" },
      ],
      ["an unparsable grpc-timeout", grpcFrame(valid), { "grpc-timeout": "soon" }],
    ];
    for (const [what, body, headers] of cases) {
      const reply = await rawGrpcPost(target(), path, body, headers);
      expect(reply.grpcStatus, what).not.toBeNaN();
      expect([status.OK, status.UNKNOWN], what).not.toContain(reply.grpcStatus);
      await stillServes(live);
    }
    // A well-formed frame of the same bytes is answered normally: the cases above failed for their framing only.
    const reply = await rawGrpcPost(target(), path, grpcFrame(valid));
    expect(reply.grpcStatus).toBe(status.OK);
  });
});

/** Keys that are not 32 lowercase hex characters. `issued` is a live session's key, to derive near misses from. */
function malformedKeys(issued: string): Record<string, string> {
  return {
    empty: "",
    "10 KB": "a".repeat(10 * 1024),
    "glob *": "*",
    "glob * of 32": "*".repeat(32),
    "hash tag {": "{",
    "hash tag around a key": `{${issued.slice(0, 30)}}`,
    CRLF: "\r\n",
    "CRLF inside 32 characters": `${issued.slice(0, 15)}\r\n${issued.slice(17)}`,
    "RESP injection": `${issued}\r\n*1\r\n$8\r\nFLUSHALL\r\n`,
    "NUL at the end": `${issued.slice(0, 31)}\0`,
    "non-hex": "g".repeat(32),
    "non-ASCII": "é".repeat(32),
    "upper-case hex of a live key": issued.toUpperCase(),
    "31 characters": issued.slice(0, 31),
    "33 characters": `${issued}0`,
    "leading space": ` ${issued.slice(1)}`,
  };
}

describe.each([
  { store: "", strategy: "hash" },
  { store: "strings", strategy: "string" },
])("malformed and unknown keys in the $strategy store", ({ store }) => {
  it("are refused with INVALID_ARGUMENT by every RPC that takes a key, and change nothing in Redis", async () => {
    // Sessions in both stores, so that a stray write anywhere would show.
    const issued =
      (await api().createSession({ store, content: { case: "data", value: { mine: true } } })).session?.key ??
      "";
    await api().createSession({
      store: store === "" ? "strings" : "",
      content: { case: "data", value: { other: true } },
    });
    const before = await redisSnapshot(redis);
    expect(before.size).toBeGreaterThan(0);

    for (const [what, key] of Object.entries(malformedKeys(issued))) {
      const calls = {
        get: () => api().getSession({ store, key }),
        "get with touch": () => api().getSession({ store, key, touch: true }),
        "save (must exist)": () => api().saveSession({ store, key, condition: SaveCondition.MUST_EXIST }),
        "save (expected version)": () =>
          api().saveSession({ store, key, condition: SaveCondition.EXPECTED_VERSION, expectedVersion: 1 }),
        "save (must create)": () =>
          api().saveSession({
            store,
            key,
            content: { case: "data", value: { planted: true } },
            condition: SaveCondition.MUST_CREATE,
          }),
        touch: () => api().touchSession({ store, key }),
        delete: () => api().deleteSession({ store, key }),
        rotate: () => api().rotateSessionKey({ store, key }),
        "batch get": () => api().batchGetSessions({ store, keys: [key] }),
        "batch get among good keys": () => api().batchGetSessions({ store, keys: [issued, key, issued] }),
      };
      for (const [rpc, call] of Object.entries(calls)) {
        expect((await outcomeOf(call)).code, `${rpc} of a key that is ${what}`).toBe(status.INVALID_ARGUMENT);
      }
    }
    expect(await redisSnapshot(redis)).toEqual(before);
    // The live session the near misses were made from is untouched and still served.
    expect((await api().getSession({ store, key: issued })).session?.content).toEqual({
      case: "data",
      value: { mine: true },
    });
  });

  it("answer NOT_FOUND (or report the key missing) for a well-formed key never issued, and change nothing", async () => {
    await api().createSession({ store, content: { case: "data", value: { mine: true } } });
    const before = await redisSnapshot(redis);
    const key = randomBytes(16).toString("hex");
    for (const [rpc, call] of Object.entries({
      get: () => api().getSession({ store, key }),
      "get with touch": () => api().getSession({ store, key, touch: true }),
      "save (must exist)": () => api().saveSession({ store, key, condition: SaveCondition.MUST_EXIST }),
      "save (expected version)": () =>
        api().saveSession({ store, key, condition: SaveCondition.EXPECTED_VERSION, expectedVersion: 1 }),
      touch: () => api().touchSession({ store, key }),
      rotate: () => api().rotateSessionKey({ store, key }),
    })) {
      expect((await outcomeOf(call)).code, rpc).toBe(status.NOT_FOUND);
    }
    expect((await api().deleteSession({ store, key })).existed).toBe(false);
    const batch = await api().batchGetSessions({ store, keys: [key] });
    expect(batch).toMatchObject({ sessions: [], missingKeys: [key], corruptKeys: [] });
    expect(await redisSnapshot(redis)).toEqual(before);
  });
});

describe("session data that JSON cannot spell", () => {
  // A Struct may carry NaN or ±Infinity on the wire (number_value is a double), but JSON has no spelling for them:
  // stored as JSON.stringify writes them (null), the session read back would differ from the one written.
  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
  ])("holding %s is refused with INVALID_ARGUMENT and stores nothing", async (_what, value) => {
    const before = await redisSnapshot(redis);
    expect(
      (await outcomeOf(() => api().createSession({ content: { case: "data", value: { x: value } } }))).code,
    ).toBe(status.INVALID_ARGUMENT);
    const key = randomBytes(16).toString("hex");
    expect(
      (
        await outcomeOf(() =>
          api().saveSession({
            key,
            content: { case: "data", value: { list: [1, value] } },
            condition: SaveCondition.MUST_CREATE,
          }),
        )
      ).code,
    ).toBe(status.INVALID_ARGUMENT);
    expect(await redisSnapshot(redis)).toEqual(before);
  });
});
