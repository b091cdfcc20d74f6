// The zstd-dict codec through a real store on a real Redis, and through the gRPC service: records name their
// dictionary, a store rolls to a new one without a migration, and a record naming a dictionary the store does not
// load is DATA_LOSS for that session alone.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import {
  createClient,
  createSessionClient,
  type ServiceClient,
  type SessionClient,
} from "../../src/client/index.js";
import { CodecError, ZSTD_DICT_CODEC_ID } from "../../src/codec/index.js";
import { parseConfig } from "../../src/config/load-config.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { CorruptRecordError } from "../../src/store/errors.js";
import type { JsonObject } from "../../src/store/session.js";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { testLogger } from "../support/server-fixture.js";
import { makeStore, readRaw, recordParts, strategies } from "../support/store-fixture.js";
import {
  STREAM_A,
  STREAM_B,
  sessionJson,
  trainTestDictionary,
  UNSEEN_STREAM,
  writeTempFile,
} from "./support/dictionaries.js";

const redis = useRedis();

const a = await trainTestDictionary(STREAM_A);
const b = await trainTestDictionary(STREAM_B);
const fileA = writeTempFile(a.bytes, "a.dict");
const fileB = writeTempFile(b.bytes, "b.dict");

/** ~1 KB generated shop sessions that neither dictionary was trained on. */
const sessions = sessionJson(20, UNSEEN_STREAM).map(
  (json) => JSON.parse(json.toString("utf8")) as JsonObject,
);
const [first, second, third] = sessions as [JsonObject, JsonObject, JsonObject];

/** The payload of a stored record: its codec id and, for zstd-dict, the dictionary it names. */
function payloadOf(record: Buffer | null): {
  codecId: number;
  dictionaryId: number | undefined;
  bytes: number;
} {
  const { header, payload } = recordParts(record);
  const dictionaryId = header.codecId === ZSTD_DICT_CODEC_ID ? payload.readUInt32BE(0) : undefined;
  return { codecId: header.codecId, dictionaryId, bytes: payload.byteLength };
}

describe.each(strategies)("zstd-dict in a %s store", (strategy) => {
  const store = (overrides: Record<string, unknown>) => makeStore(redis, { strategy, ...overrides });

  it("stores records under codec id 4 naming the first dictionary, far smaller than zstd's, and reads them", async () => {
    const dict = store({ codec: "zstd-dict", zstdDictionaries: [fileA, fileB] });
    const plain = store({ codec: "zstd", prefix: "z:" });
    const created = await dict.repository.create(first);
    const stored = payloadOf(await readRaw(redis, dict.config, created.key));
    expect(stored.codecId).toBe(ZSTD_DICT_CODEC_ID);
    expect(stored.dictionaryId).toBe(a.dictionary.id);
    expect((await dict.repository.get(created.key))?.data).toEqual(first);

    const zstd = payloadOf(await readRaw(redis, plain.config, (await plain.repository.create(first)).key));
    expect(zstd.codecId).toBe(1);
    expect(stored.bytes).toBeLessThan(zstd.bytes * 0.6);
  });

  it("rolls to a new dictionary without a migration: old records still read, new ones use the new dictionary", async () => {
    const before = store({ codec: "zstd-dict", zstdDictionaries: [fileA] });
    const old = await before.repository.create(first);

    const after = store({ codec: "zstd-dict", zstdDictionaries: [fileB, fileA] });
    expect((await after.repository.get(old.key))?.data).toEqual(first);
    const fresh = await after.repository.create(second);
    expect(payloadOf(await readRaw(redis, after.config, fresh.key)).dictionaryId).toBe(b.dictionary.id);
    // Saving an old session rewrites it with the new dictionary.
    await after.repository.save(old.key, third);
    expect(payloadOf(await readRaw(redis, after.config, old.key)).dictionaryId).toBe(b.dictionary.id);
    expect((await after.repository.get(old.key))?.data).toEqual(third);
  });

  it("keeps reading zstd-dict records after moving to another codec, while it lists their dictionary", async () => {
    const before = store({ codec: "zstd-dict", zstdDictionaries: [fileA] });
    const old = await before.repository.create(first);
    const moved = store({ codec: "gzip", zstdDictionaries: [fileA] });
    expect((await moved.repository.get(old.key))?.data).toEqual(first);
    const fresh = await moved.repository.create(second);
    expect(payloadOf(await readRaw(redis, moved.config, fresh.key)).codecId).toBe(2);
  });

  it("refuses a record naming a dictionary it does not load as corrupt, and keeps serving the others", async () => {
    const withA = store({ codec: "zstd-dict", zstdDictionaries: [fileA] });
    const onlyB = store({ codec: "zstd-dict", zstdDictionaries: [fileB] });
    const orphan = await withA.repository.create(first);
    const fine = await onlyB.repository.create(second);
    const small = await onlyB.repository.create({ user: "ada" }); // below compressMinBytes: stored plain

    const failure = await onlyB.repository.get(orphan.key).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CorruptRecordError);
    const cause = (failure as Error).cause;
    expect(cause).toBeInstanceOf(CodecError);
    expect((cause as Error).message).toContain(
      `dictionary ${a.dictionary.hexId}, which this store does not load`,
    );

    expect((await onlyB.repository.get(fine.key))?.data).toEqual(second);
    expect((await onlyB.repository.get(small.key))?.data).toEqual({ user: "ada" });
    const batch = await onlyB.repository.getMany([orphan.key, fine.key, small.key]);
    expect(batch.corrupt).toEqual([orphan.key]);
    expect(batch.found.map((session) => session.key)).toEqual([fine.key, small.key]);
    // Nothing was repaired or removed behind the operator's back: listing fileA again brings the session back.
    expect((await withA.repository.get(orphan.key))?.data).toEqual(first);
  });
});

describe("zstd-dict through the service", () => {
  const storeSettings = { strategy: "hash", bucketBits: 8, prefix: "svc:" } as const;
  let server: RunningServer;
  let client: SessionClient;
  let admin: ServiceClient<typeof SessionAdminService>;

  beforeAll(async () => {
    const config = parseConfig({
      redis: { default: { url: redis.url, connectTimeoutMs: 500 } },
      stores: { default: { ...storeSettings, codec: "zstd-dict", zstdDictionaries: [fileB] } },
      server: { host: "127.0.0.1", port: 0, metrics: { enabled: false } },
    });
    server = await startServer({ config, logger: testLogger() });
    client = createSessionClient(`127.0.0.1:${server.port}`, { defaultTimeoutMs: 5_000 });
    admin = createClient(SessionAdminService, `127.0.0.1:${server.port}`, { defaultTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    client?.close();
    admin?.close();
    await server?.shutdown(0);
  });

  it("answers DATA_LOSS for a session whose dictionary the store does not load, and serves the others", async () => {
    const elsewhere = makeStore(redis, { ...storeSettings, codec: "zstd-dict", zstdDictionaries: [fileA] });
    const orphan = await elsewhere.repository.create(first);
    const served = (await client.createSession({ content: { case: "data", value: second } })).session;

    expect((await failureOf(client.getSession({ key: orphan.key }))).code).toBe(status.DATA_LOSS);
    expect((await client.getSession({ key: served?.key ?? "" })).session?.content).toEqual({
      case: "data",
      value: second,
    });
    const batch = await client.batchGetSessions({ keys: [orphan.key, served?.key ?? ""] });
    expect(batch.corruptKeys).toEqual([orphan.key]);
    expect(batch.sessions.map((session) => session.key)).toEqual([served?.key]);
  });

  it("lists the store's codec but never a dictionary's content", async () => {
    const { stores } = await admin.listStores({});
    expect(stores[0]?.codec).toBe("zstd-dict");
    const shown = JSON.stringify(stores, (_key, value) =>
      typeof value === "bigint" ? String(value) : value,
    );
    expect(shown).not.toContain(b.bytes.subarray(-32).toString("latin1"));
  });
});
