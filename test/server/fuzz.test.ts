import { randomBytes } from "node:crypto";
import type { DescMessage, JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import {
  type GetStoreStatsRequestSchema,
  type ListStoresRequestSchema,
  type PurgeExpiredRequestSchema,
  SessionAdminService,
} from "../../gen/redisession/v1/admin_service_pb.js";
import type {
  BatchGetSessionsRequestSchema,
  CreateSessionRequestSchema,
  DeleteSessionRequestSchema,
  GetSessionRequestSchema,
  RotateSessionKeyRequestSchema,
  SaveSessionRequestSchema,
  TouchSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { createClient, type ServiceClient } from "../../src/client/index.js";
import { type CallOutcome, countCodes, outcomeOf } from "../support/call-outcomes.js";
import { healthCheck, rawClient } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { useServer } from "../support/server-fixture.js";

useRedis();
const served = useServer();

/** Requests in all; each property run sends a batch of them at once (the server's concurrency is under test too). */
const TOTAL_CASES = 10_000;
const BATCH = 25;

/**
 * What a request may be answered with. Not UNKNOWN (a handler threw something unmapped), not INTERNAL (a bug:
 * nothing here is a Redis fault), not DATA_LOSS (nothing is corrupted), not UNAVAILABLE or DEADLINE_EXCEEDED
 * (Redis is up and the deadlines are generous).
 */
const ALLOWED = new Set([
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.ABORTED,
  status.RESOURCE_EXHAUSTED,
]);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

type Init<S extends DescMessage> = MessageInitShape<S>;

/**
 * The arbitraries of every field kind the two services' requests have. Valid values are frequent enough for calls
 * to get past validation and reach Redis; keys are drawn from live sessions (`stableKeys`, which nothing deletes
 * or rotates away, and `disposableKeys`, for the calls that do) as well as from every kind of malformed string.
 */
function fieldArbitraries(stableKeys: readonly string[], disposableKeys: readonly string[]) {
  const store = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("", "default", "strings") },
    {
      weight: 1,
      arbitrary: fc.constantFrom("DEFAULT", "default ", "nope", "__proto__", "constructor", "toString"),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  );
  const hex = (bytes: number) =>
    fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString("hex"));
  const keyFrom = (live: readonly string[]) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...live) },
      { weight: 2, arbitrary: hex(16) },
      { weight: 1, arbitrary: fc.constantFrom(...live).map((k) => k.toUpperCase()) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          hex(15).map((k) => `${k}0`),
          hex(17).map((k) => k.slice(0, 33)),
          fc.constant(""),
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 64 }) },
      {
        weight: 1,
        arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789abcdef*{}[]?\\\r\n\0 "), maxLength: 40 }),
      },
    );
  const int64 = fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: -5n, max: 100_000n }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(0n, 1n, 86_400n, 86_401n, 2n ** 31n - 1n, 2n ** 32n, -(2n ** 63n)),
    },
    { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  );
  const ttl = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.record({ seconds: fc.bigInt({ min: 1n, max: 86_400n }), nanos: fc.constant(0) }),
    },
    { weight: 1, arbitrary: fc.record({ seconds: int64, nanos: fc.oneof(fc.constant(0), fc.integer()) }) },
  );
  // Struct values: every JSON kind, and numbers JSON has no spelling for (NaN, ±Infinity, -0), which the wire allows.
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  );
  const struct = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.dictionary(fc.string({ unit: "binary", maxLength: 16 }), value, { maxKeys: 8 }),
    },
    // Near and over the default store's maxSessionBytes (4096).
    { weight: 1, arbitrary: fc.string({ minLength: 3_900, maxLength: 6_000 }).map((blob) => ({ blob })) },
  ) as fc.Arbitrary<JsonObject>;
  // JSON text: of objects (with integers no double holds), of anything else, and not JSON at all.
  const jsonText = fc.oneof(
    { weight: 4, arbitrary: struct.map((object) => JSON.stringify(object)) },
    { weight: 1, arbitrary: fc.bigInt().map((n) => `{"n":${n},"z":-0}`) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  );
  // The content oneof: unset, a Struct, or JSON text.
  const content = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: struct.map((value) => ({ case: "data" as const, value })) },
    { weight: 2, arbitrary: jsonText.map((value) => ({ case: "dataJson" as const, value })) },
  );
  // DataFormat: unset, STRUCT, JSON, and values the service does not know.
  const dataFormat = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 2 }) },
    { weight: 1, arbitrary: fc.integer() },
  );
  const uint32 = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
  );
  // 0 (unset) and 1 (the removed UPSERT) are refused; 2 to 4 are the conditions.
  const condition = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 1, arbitrary: fc.integer() },
  );
  // An int32: negative ones are refused.
  const expectedVersion = fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  );
  const key = keyFrom(stableKeys);
  const keys = fc.oneof(
    { weight: 30, arbitrary: fc.array(key, { maxLength: 30 }) },
    { weight: 1, arbitrary: fc.array(key, { minLength: 1_001, maxLength: 1_001 }) },
  );
  return {
    store,
    key,
    disposableKey: keyFrom(disposableKeys),
    keys,
    ttl,
    content,
    dataFormat,
    uint32,
    condition,
    expectedVersion,
  };
}

describe("property-based fuzzing of every request message", () => {
  it(`${TOTAL_CASES.toLocaleString("en")} random requests: never UNKNOWN or INTERNAL, no crash, no unhandled rejection; the server stays healthy`, async () => {
    const target = `127.0.0.1:${served.server.port}`;
    const options = { retry: false as const, defaultTimeoutMs: 15_000 };
    const sessions = served.client;
    const admin: ServiceClient<typeof SessionAdminService> = createClient(
      SessionAdminService,
      target,
      options,
    );
    const stableKeys: string[] = [];
    const disposableKeys: string[] = [];
    const newKey = async (store: string) => (await sessions.createSession({ store })).session?.key ?? "";
    for (const store of ["", "strings"]) {
      for (let i = 0; i < 20; i++) {
        stableKeys.push(await newKey(store));
        disposableKeys.push(await newKey(store));
      }
    }
    const f = fieldArbitraries(stableKeys, disposableKeys);

    /** One random request of each RPC, as the call that sends it. */
    const requests = {
      createSession: fc.record({
        store: f.store,
        content: f.content,
        idleTtl: f.ttl,
      }) satisfies fc.Arbitrary<Init<typeof CreateSessionRequestSchema>>,
      getSession: fc.record({
        store: f.store,
        key: f.key,
        touch: fc.boolean(),
        idleTtl: f.ttl,
        dataFormat: f.dataFormat,
      }) satisfies fc.Arbitrary<Init<typeof GetSessionRequestSchema>>,
      batchGetSessions: fc.record({
        store: f.store,
        keys: f.keys,
        dataFormat: f.dataFormat,
      }) satisfies fc.Arbitrary<Init<typeof BatchGetSessionsRequestSchema>>,
      saveSession: fc.record({
        store: f.store,
        key: f.key,
        content: f.content,
        idleTtl: f.ttl,
        condition: f.condition,
        expectedVersion: f.expectedVersion,
      }) satisfies fc.Arbitrary<Init<typeof SaveSessionRequestSchema>>,
      touchSession: fc.record({ store: f.store, key: f.key, idleTtl: f.ttl }) satisfies fc.Arbitrary<
        Init<typeof TouchSessionRequestSchema>
      >,
      deleteSession: fc.record({ store: f.store, key: f.disposableKey }) satisfies fc.Arbitrary<
        Init<typeof DeleteSessionRequestSchema>
      >,
      rotateSessionKey: fc.record({
        store: f.store,
        key: f.disposableKey,
        dataFormat: f.dataFormat,
      }) satisfies fc.Arbitrary<Init<typeof RotateSessionKeyRequestSchema>>,
      purgeExpired: fc.record({
        store: f.store,
        budget: f.uint32,
        fromBucket: f.uint32,
      }) satisfies fc.Arbitrary<Init<typeof PurgeExpiredRequestSchema>>,
      getStoreStats: fc.record({ store: f.store, sampleSize: f.uint32 }) satisfies fc.Arbitrary<
        Init<typeof GetStoreStatsRequestSchema>
      >,
      listStores: fc.constant({}) satisfies fc.Arbitrary<Init<typeof ListStoresRequestSchema>>,
    };
    type Rpc = keyof typeof requests;
    const send = (rpc: Rpc, request: object): Promise<unknown> => {
      const service = rpc in admin ? admin : sessions;
      const method = (service as unknown as Record<Rpc, (request: object) => Promise<unknown>>)[rpc];
      return method(request);
    };
    const anyRequest = fc.oneof(
      ...(Object.keys(requests) as Rpc[]).map((rpc) =>
        (requests[rpc] as fc.Arbitrary<object>).map((request) => ({ rpc, request })),
      ),
    );

    const outcomes: (CallOutcome & { rpc: Rpc })[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(anyRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answered = await Promise.all(
          batch.map(({ rpc, request }) => outcomeOf(() => send(rpc, request))),
        );
        answered.forEach((outcome, i) => {
          const { rpc, request } = batch[i] ?? {};
          if (rpc === undefined) return;
          outcomes.push({ ...outcome, rpc });
          if (!ALLOWED.has(outcome.code)) {
            throw new Error(`${rpc} answered ${status[outcome.code]} to ${fc.stringify(request)}`);
          }
        });
      }),
      { numRuns: Math.ceil(TOTAL_CASES / BATCH) },
    );

    expect(outcomes.length).toBeGreaterThanOrEqual(TOTAL_CASES);
    // Every RPC had its share, and the fuzzing reached past validation: each answered OK at least once.
    for (const rpc of Object.keys(requests) as Rpc[]) {
      const mine = outcomes.filter((outcome) => outcome.rpc === rpc);
      expect(mine.length, rpc).toBeGreaterThan(TOTAL_CASES / 20);
      expect(countCodes(mine).OK ?? 0, `${rpc}: ${JSON.stringify(countCodes(mine))}`).toBeGreaterThan(0);
    }
    expect(unhandled).toEqual([]);

    // Still healthy: the health check says so (polled: a check that found Redis slow while the fuzzing still
    // loaded the machine says NOT_SERVING until the next one), and a session makes the round trip.
    const raw = rawClient(target);
    try {
      await expect.poll(async () => (await healthCheck(raw)).status).toBe(Serving.SERVING);
    } finally {
      raw.close();
    }
    const key =
      (await sessions.createSession({ content: { case: "data", value: { after: "fuzzing" } } })).session
        ?.key ?? "";
    expect((await sessions.getSession({ key })).session?.content).toEqual({
      case: "data",
      value: { after: "fuzzing" },
    });
    expect((await sessions.getSession({ key: randomBytes(16).toString("hex") }).catch((e) => e)).code).toBe(
      status.NOT_FOUND,
    );
    admin.close();
  });
});
