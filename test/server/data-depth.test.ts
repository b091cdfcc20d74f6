import { randomBytes } from "node:crypto";
import { type Client, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateSessionResponseSchema,
  SaveSessionResponseSchema,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { delta, scrape } from "../metrics/prometheus-text.js";
import {
  createRequestBytes,
  deepJson,
  deepStructBytes,
  SHAPES,
  type Shape,
  saveRequestBytes,
} from "../support/deep-data.js";
import { rawClient, unaryBytes } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { SERVED_STORES, useServer } from "../support/server-fixture.js";
import { rawStatus } from "../support/status-details.js";
import { readRaw } from "../support/store-fixture.js";

/**
 * Session data nested 1 to 120, 1,000 and 100,000 levels deep, objects, lists and both, sent to SaveSession and
 * CreateSession as raw request bytes (no client library's own limit decides anything). Up to the store's
 * `maxDataDepth` (the default, 32) it is stored and read back equal; deeper it is refused with INVALID_ARGUMENT,
 * by the store up to 49 levels and by the request decoder beyond (it reads at most 100 nested messages), and
 * nothing reaches Redis. Before, data about 49 levels deep was stored and then failed every read with INTERNAL.
 */

const redis = useRedis();
const served = useServer();
const api = () => served.client;
let raw: Client;
beforeAll(() => {
  raw = rawClient(`127.0.0.1:${served.server.port}`);
});
afterAll(() => raw.close());

/** The test stores' maxDataDepth: the default. */
const LIMIT = 32;
/** The deepest data the request decoder reads (with a number innermost): deeper is refused before any store. */
const DECODER_LIMIT = 49;
const DEPTHS = [...Array.from({ length: 120 }, (_, i) => i + 1), 1_000, 100_000];

const STORES = SERVED_STORES;

const createResponse = messageCodec(CreateSessionResponseSchema);
const saveResponse = messageCodec(SaveSessionResponseSchema);
const newKey = () => randomBytes(16).toString("hex");

/** The Struct bytes of each depth and shape, made once for both stores (100,000 levels take a while). */
const structs = new Map<string, Buffer>();
function struct(depth: number, shape: Shape): Buffer {
  const id = `${shape} ${depth}`;
  let bytes = structs.get(id);
  if (bytes === undefined) {
    bytes = deepStructBytes(depth, shape);
    structs.set(id, bytes);
  }
  return bytes;
}

const SERVICE = SessionService.typeName;
const calls = (method: string, code: string) => ({ rpc: `${SERVICE}/${method}`, code });

describe.each(STORES)("session data nested deep, in the $strategy store", ({ store, config }) => {
  it(`is stored and read back equal up to ${LIMIT} levels, refused with INVALID_ARGUMENT deeper, nothing written`, async () => {
    const metricsBefore = await scrape(served.server.metricsPort);

    const stored: { key: string; data: unknown; what: string }[] = [];
    for (const shape of SHAPES) {
      for (const depth of DEPTHS.filter((depth) => depth <= LIMIT)) {
        const what = `${shape} nested ${depth} levels`;
        const data = deepJson(depth, shape);
        const key = newKey();
        const saved = await unaryBytes(
          raw,
          SessionService.method.saveSession,
          saveRequestBytes(store, key, struct(depth, shape)),
        );
        expect(saved.code, `save of ${what}: ${saved.details}`).toBe(status.OK);
        expect(saveResponse.decode(saved.response ?? Buffer.alloc(0)).session?.version).toBe(1);
        const created = await unaryBytes(
          raw,
          SessionService.method.createSession,
          createRequestBytes(store, struct(depth, shape)),
        );
        expect(created.code, `create of ${what}: ${created.details}`).toBe(status.OK);
        const session = createResponse.decode(created.response ?? Buffer.alloc(0)).session;
        // CreateSession answers a SessionInfo, without the data: the caller has what it sent.
        expect(session?.$typeName, what).toBe("redisession.v1.SessionInfo");
        stored.push({ key, data, what }, { key: session?.key ?? "", data, what });
        expect((await api().getSession({ store, key })).session?.content, what).toEqual({
          case: "data",
          value: data,
        });
      }
    }
    const batch = await api().batchGetSessions({ store, keys: stored.map(({ key }) => key) });
    expect(batch.corruptKeys).toEqual([]);
    expect(batch.missingKeys).toEqual([]);
    expect(batch.sessions.map((session) => session.key)).toEqual(stored.map(({ key }) => key));
    batch.sessions.forEach((session, i) => {
      expect(session.content, stored[i]?.what).toEqual({ case: "data", value: stored[i]?.data });
    });

    const before = await redisSnapshot(redis);
    let refused = 0;
    for (const shape of SHAPES) {
      for (const depth of DEPTHS.filter((depth) => depth > LIMIT)) {
        const what = `${shape} nested ${depth} levels`;
        // Refused by the store for its maxDataDepth, naming it; deeper, by the request decoder, never INTERNAL.
        const reason = depth <= DECODER_LIMIT ? /limit of 32 levels/ : /deeper than 100 protobuf messages/;
        const key = newKey();
        const saved = await unaryBytes(
          raw,
          SessionService.method.saveSession,
          saveRequestBytes(store, key, struct(depth, shape)),
        );
        expect(saved.code, `save of ${what}: ${saved.details}`).toBe(status.INVALID_ARGUMENT);
        expect(saved.details, what).toMatch(reason);
        // The reason says so to programs; the store's limit travels as metadata when a store refused it.
        const [info] = rawStatus(saved.trailers).errorInfos;
        expect(info?.reason, what).toBe("DATA_TOO_DEEP");
        expect(info?.metadata.max_depth, what).toBe(depth <= DECODER_LIMIT ? String(LIMIT) : undefined);
        expect(await readRaw(redis, config, key), what).toBeNull();
        const created = await unaryBytes(
          raw,
          SessionService.method.createSession,
          createRequestBytes(store, struct(depth, shape)),
        );
        expect(created.code, `create of ${what}: ${created.details}`).toBe(status.INVALID_ARGUMENT);
        expect(created.details, what).toMatch(reason);
        refused++;
      }
    }
    // Not a key or a field written (DUMP of every key: a hash bucket holding a new field would differ).
    expect(await redisSnapshot(redis)).toEqual(before);

    // The server keeps serving, and counted every refusal under the code it sent.
    const last = stored[stored.length - 1];
    expect((await api().getSession({ store, key: last?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: last?.data,
    });
    const metricsAfter = await scrape(served.server.metricsPort);
    for (const method of ["SaveSession", "CreateSession"]) {
      expect(
        delta(metricsBefore, metricsAfter, "redisession_rpc_calls_total", calls(method, "INVALID_ARGUMENT")),
      ).toBe(refused);
      expect(delta(metricsBefore, metricsAfter, "redisession_rpc_calls_total", calls(method, "OK"))).toBe(
        stored.length / 2,
      );
      expect(metricsAfter.value("redisession_rpc_calls_total", calls(method, "INTERNAL"))).toBeUndefined();
    }
  });
});
