import { fromBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateSessionResponseSchema,
  SaveCondition,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import type { SessionServiceError } from "../../src/client/index.js";
import { failureOf } from "../support/call-helpers.js";
import { type RawOutcome, rawClient, unaryBytes } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { redisSnapshot } from "../support/redis-snapshot.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { rawStatus } from "../support/status-details.js";
import {
  createRequestWith,
  saveRequestWith,
  structEntry,
  UNDECODABLE_ENTRY,
  wideJson,
  wideStructBytes,
} from "../support/wide-data.js";

/**
 * Session data whose size on the wire already shows that it cannot fit its store's `maxSessionBytes` is refused
 * RESOURCE_EXHAUSTED before it is decoded (the issue: a ~4 MB SaveSession of 300,000 fields cost up to 1.4 s of
 * decoding before its refusal). The test server's default store takes 4,096 bytes of JSON, its "strings" store
 * 1 MiB (the default), so the same bytes may be refused by one store and fit the other.
 */
const redis = useRedis();
const served = useServer();
const api = () => served.client;

let raw: ReturnType<typeof rawClient>;
beforeAll(() => {
  raw = rawClient(`127.0.0.1:${served.server.port}`);
});
afterAll(() => raw.close());

const DEFAULT_LIMIT = TEST_STORES.default.maxSessionBytes;

/** The payload: 300,000 fields, about 4 MB of Struct on the wire (under the 4 MiB message limit). */
const WIDE_FIELDS = 300_000;
const wide = wideJson(WIDE_FIELDS);
const wideBytes = wideStructBytes(WIDE_FIELDS);

/** Asserts the refusal of data too large for the default store: its reason, metadata and field. */
function expectTooLarge(error: SessionServiceError): void {
  expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(error.reason).toBe("DATA_TOO_LARGE");
  expect(error.errorMetadata.limit_bytes).toBe(String(DEFAULT_LIMIT));
  // The least the data's JSON can be: over the limit, and no more than the JSON it would make.
  const size = Number(error.errorMetadata.size_bytes);
  expect(size).toBeGreaterThan(DEFAULT_LIMIT);
  expect(size).toBeLessThanOrEqual(Buffer.byteLength(JSON.stringify(wide)));
  expect(error.fieldViolations.map((violation) => violation.field)).toEqual(["data"]);
}

/** Asserts that a raw call ended with `code` and `reason`. */
function expectOutcome(outcome: RawOutcome, code: status, reason: string): void {
  expect({ code: outcome.code, reason: rawStatus(outcome.trailers).errorInfos[0]?.reason }).toEqual({
    code,
    reason,
  });
}

describe("session data too large for its store", () => {
  it("refuses a SaveSession of 300,000 fields (~4 MB) RESOURCE_EXHAUSTED and leaves the session as it was", async () => {
    expect(wideBytes.length).toBeGreaterThan(3_500_000);
    const { session } = await api().createSession({ content: { case: "data", value: { user: "ada" } } });
    const key = session?.key ?? "";
    const before = await redisSnapshot(redis);
    const error = await failureOf(
      api().saveSession({ key, content: { case: "data", value: wide }, condition: SaveCondition.MUST_EXIST }),
    );
    expectTooLarge(error);
    expect(await redisSnapshot(redis)).toEqual(before);
    const read = await api().getSession({ key });
    expect(read.session?.content).toEqual({ case: "data", value: { user: "ada" } });
    expect(read.session?.version).toBe(1);
  });

  it("refuses a CreateSession of 300,000 fields RESOURCE_EXHAUSTED and stores nothing", async () => {
    expectTooLarge(await failureOf(api().createSession({ content: { case: "data", value: wide } })));
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("refuses data it cannot decode, but too large for the store, as too large: it never decodes it", async () => {
    // 20,000 fields (~260 KB, ~200 KB of JSON) and then an entry whose key is not UTF-8: whoever decodes these
    // bytes fails. The 1 MiB store, which they might fit, decodes them and answers so; the 4,096-byte store
    // refuses them for their size, which it could only do without decoding them.
    const struct = Buffer.concat([wideStructBytes(20_000), UNDECODABLE_ENTRY]);
    const method = SessionService.method.createSession;
    expectOutcome(
      await unaryBytes(raw, method, createRequestWith("strings", struct)),
      status.INTERNAL,
      "MALFORMED_REQUEST",
    );
    expectOutcome(
      await unaryBytes(raw, method, createRequestWith("", struct)),
      status.RESOURCE_EXHAUSTED,
      "DATA_TOO_LARGE",
    );
    const save = { store: "", key: "0".repeat(32), condition: SaveCondition.MUST_CREATE };
    expectOutcome(
      await unaryBytes(raw, SessionService.method.saveSession, saveRequestWith(save, struct)),
      status.RESOURCE_EXHAUSTED,
      "DATA_TOO_LARGE",
    );
    expect(await redis.raw("DBSIZE")).toBe(0);
  });

  it("decodes and stores data that fits although its wire size is large: a key given 300,000 times", async () => {
    // ~3 MB on the wire, `{"k":"last"}` once decoded (the last of a key's entries wins).
    const entries: Buffer[] = [];
    for (let i = 0; i < WIDE_FIELDS; i++) entries.push(structEntry(Buffer.from("k"), "x"));
    entries.push(structEntry(Buffer.from("k"), "last"));
    const outcome = await unaryBytes(
      raw,
      SessionService.method.createSession,
      createRequestWith("", Buffer.concat(entries)),
    );
    expect(outcome.code).toBe(status.OK);
    const created = fromBinary(CreateSessionResponseSchema, outcome.response ?? Buffer.alloc(0));
    const read = await api().getSession({ key: created.session?.key ?? "" });
    expect(read.session?.content).toEqual({ case: "data", value: { k: "last" } });
  });

  it("takes in the store with the higher limit what the other refuses", async () => {
    const data = wideJson(20_000);
    expectTooLarge(await failureOf(api().createSession({ content: { case: "data", value: data } })));
    const { session } = await api().createSession({
      store: "strings",
      content: { case: "data", value: data },
    });
    const read = await api().getSession({ store: "strings", key: session?.key ?? "" });
    expect(read.session?.content).toEqual({ case: "data", value: data });
  });

  it("serves a normal client while two others keep sending 300,000-field saves", async () => {
    const { session } = await api().createSession({ content: { case: "data", value: { user: "ada" } } });
    const key = session?.key ?? "";
    const body = saveRequestWith({ store: "", key, condition: SaveCondition.MUST_EXIST }, wideBytes);
    const flooders = [
      rawClient(`127.0.0.1:${served.server.port}`),
      rawClient(`127.0.0.1:${served.server.port}`),
    ];
    let flooding = true;
    const floods = flooders.map(async (client) => {
      const outcomes: RawOutcome[] = [];
      for (let i = 0; i < 5; i++)
        outcomes.push(await unaryBytes(client, SessionService.method.saveSession, body));
      return outcomes;
    });
    const done = Promise.all(floods).finally(() => {
      flooding = false;
    });
    let reads = 0;
    try {
      // At least one read while the floods run, and as many as fit until they end.
      do {
        const read = await api().getSession({ key });
        expect(read.session?.content).toEqual({ case: "data", value: { user: "ada" } });
        reads++;
      } while (flooding);
      for (const outcome of (await done).flat()) {
        expectOutcome(outcome, status.RESOURCE_EXHAUSTED, "DATA_TOO_LARGE");
      }
    } finally {
      for (const client of flooders) client.close();
    }
    expect(reads).toBeGreaterThan(0);
    expect((await api().getSession({ key })).session?.version).toBe(1);
  });
});
