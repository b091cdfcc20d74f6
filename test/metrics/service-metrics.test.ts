import { randomBytes } from "node:crypto";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SaveCondition } from "../../gen/redisession/v1/session_service_pb.js";
import { createClient } from "../../src/client/index.js";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { TEST_STORES, useServer } from "../support/server-fixture.js";
import { makeStore } from "../support/store-fixture.js";
import { delta, type Scrape, scrape } from "./prometheus-text.js";

const redis = useRedis();
// No timer sweeps behind the test's back: sweep counts are exact.
const served = useServer({ server: { sweep: { intervalMs: 0 } } });
const api = () => served.client;
const metrics = () => scrape(served.server.metricsPort);

const SERVICE = "redisession.v1.SessionService";
const newKey = () => randomBytes(16).toString("hex");
const jsonBytes = (data: unknown) => Buffer.byteLength(JSON.stringify(data), "utf8");
/**
 * The header of a new session's record with the store's default TTL: expiry, flags, version 1, and a creation
 * time in stores with a maxLifetime ("strings" has one).
 */
const headerBytes = (store: string) => (store === "strings" ? 10 : 6);

/** The calls of `rpc` that ended with `code`, and their latency histogram, grew by exactly `calls`. */
function expectCalls(before: Scrape, after: Scrape, method: string, code: string, calls: number) {
  const labels = { rpc: `${SERVICE}/${method}`, code };
  expect(delta(before, after, "redisession_rpc_calls_total", labels), `${method} ${code}`).toBe(calls);
  expect(delta(before, after, "redisession_rpc_duration_seconds_count", labels)).toBe(calls);
  expect(delta(before, after, "redisession_rpc_duration_seconds_bucket", { ...labels, le: "+Inf" })).toBe(
    calls,
  );
  const seconds = delta(before, after, "redisession_rpc_duration_seconds_sum", labels);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThan(5 * calls);
  // Cumulative buckets never decrease with `le`.
  const buckets = after.matching("redisession_rpc_duration_seconds_bucket", labels).map((s) => s.value);
  expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
}

describe("metrics", () => {
  it("are served with HELP and TYPE for every family, default process metrics included", async () => {
    const scraped = await metrics();
    expect(scraped.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = [
      ["redisession_rpc_calls_total", "counter"],
      ["redisession_rpc_duration_seconds", "histogram"],
      ["redisession_redis_errors_total", "counter"],
      ["redisession_redis_reconnects_total", "counter"],
      ["redisession_redis_connection_ready", "gauge"],
      ["redisession_sessions_created_total", "counter"],
      ["redisession_sessions_deleted_total", "counter"],
      ["redisession_sessions_rotated_total", "counter"],
      ["redisession_redis_oom_refusals_total", "counter"],
      ["redisession_session_saves_total", "counter"],
      ["redisession_sessions_swept_total", "counter"],
      ["redisession_sweep_duration_seconds", "histogram"],
      ["redisession_session_record_bytes", "histogram"],
      ["redisession_session_json_bytes_total", "counter"],
      ["redisession_session_payload_bytes_total", "counter"],
      ["redisession_connections_refused_total", "counter"],
      ["redisession_connections_evicted_total", "counter"],
      ["redisession_connection_handshake_timeouts_total", "counter"],
      ["redisession_connections_open", "gauge"],
    ] as const;
    for (const [name, type] of families) {
      // prom-client names a counter's family with its _total suffix.
      expect(scraped.type.get(name), name).toBe(type);
      expect(scraped.help.get(name)?.length, name).toBeGreaterThan(20);
    }
    expect([...scraped.type.keys()].filter((name) => name.startsWith("redisession_")).sort()).toEqual(
      families.map(([name]) => name).sort(),
    );
    expect(scraped.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(scraped.value("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    // Every store and connection is exported from the start, at 0.
    for (const store of ["default", "strings"]) {
      for (const name of ["created", "deleted", "rotated"])
        expect(scraped.value(`redisession_sessions_${name}_total`, { store })).toBeTypeOf("number");
      expect(scraped.value("redisession_redis_oom_refusals_total", { store })).toBe(0);
    }
    expect(scraped.value("redisession_sessions_swept_total", { store: "default" })).toBe(0);
    expect(scraped.value("redisession_sessions_swept_total", { store: "strings" })).toBeUndefined();
    expect(scraped.value("redisession_redis_connection_ready", { connection: "default" })).toBe(1);
    expect(scraped.value("redisession_redis_reconnects_total", { connection: "default" })).toBe(0);
  });

  it("count every call by rpc and status code, sessions by event, saves by condition and result, and sizes", async () => {
    const before = await metrics();

    const small = { user: "ada" };
    const created = (await api().createSession({ content: { case: "data", value: small } })).session;
    const key = created?.key ?? "";
    expect(created?.version).toBe(1);
    expect((await api().getSession({ key })).session?.content).toEqual({ case: "data", value: small });
    expect((await failureOf(api().getSession({ key: newKey() }))).code).toBe(status.NOT_FOUND);
    const stale = api().saveSession({
      key,
      content: { case: "data", value: { n: 1 } },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: 7,
    });
    expect((await failureOf(stale)).code).toBe(status.ABORTED);
    // Compressible, and over the store's compressMinBytes (400), under its maxSessionBytes (4096).
    const big = { notes: "the quick brown fox jumps over the lazy dog; ".repeat(80) };
    const saved = await api().saveSession({
      key,
      content: { case: "data", value: big },
      condition: SaveCondition.EXPECTED_VERSION,
      expectedVersion: 1,
    });
    expect(saved.session?.version).toBe(2);
    const rotated = (await api().rotateSessionKey({ key })).session;
    expect((await api().deleteSession({ key: rotated?.key ?? "" })).existed).toBe(true);
    // The string store (gzip): a session created with data big enough to compress.
    await api().createSession({ store: "strings", content: { case: "data", value: big } });

    const after = await metrics();

    expectCalls(before, after, "CreateSession", "OK", 2);
    expectCalls(before, after, "GetSession", "OK", 1);
    expectCalls(before, after, "GetSession", "NOT_FOUND", 1);
    expectCalls(before, after, "SaveSession", "ABORTED", 1);
    expectCalls(before, after, "SaveSession", "OK", 1);
    expectCalls(before, after, "RotateSessionKey", "OK", 1);
    expectCalls(before, after, "DeleteSession", "OK", 1);
    const sessionCalls = (scraped: Scrape) =>
      scraped
        .matching("redisession_rpc_calls_total")
        .filter((sample) => sample.labels.rpc?.startsWith(`${SERVICE}/`))
        .reduce((sum, sample) => sum + sample.value, 0);
    expect(sessionCalls(after) - sessionCalls(before)).toBe(8);

    const store = { store: "default" };
    expect(delta(before, after, "redisession_sessions_created_total", store)).toBe(1);
    expect(delta(before, after, "redisession_sessions_deleted_total", store)).toBe(1);
    expect(delta(before, after, "redisession_sessions_rotated_total", store)).toBe(1);
    expect(delta(before, after, "redisession_sessions_created_total", { store: "strings" })).toBe(1);
    expect(delta(before, after, "redisession_sessions_rotated_total", { store: "strings" })).toBe(0);

    const saves = (condition: string, result: string) =>
      delta(before, after, "redisession_session_saves_total", { ...store, condition, result });
    expect(saves("must_create", "ok")).toBe(1);
    expect(saves("expected_version", "conflict")).toBe(1); // the lost compare-and-set
    expect(saves("expected_version", "ok")).toBe(1);
    expect(
      after.matching("redisession_session_saves_total", store).reduce((sum, s) => sum + s.value, 0) -
        before.matching("redisession_session_saves_total", store).reduce((sum, s) => sum + s.value, 0),
    ).toBe(3);

    // The small session is stored plain (under compressMinBytes): payload = JSON, record = header + JSON.
    const plain = { ...store, codec: "none" };
    expect(delta(before, after, "redisession_session_json_bytes_total", plain)).toBe(jsonBytes(small));
    expect(delta(before, after, "redisession_session_payload_bytes_total", plain)).toBe(jsonBytes(small));
    expect(delta(before, after, "redisession_session_record_bytes_count", plain)).toBe(1);
    expect(delta(before, after, "redisession_session_record_bytes_sum", plain)).toBe(
      headerBytes("default") + jsonBytes(small),
    );

    // The big one is stored with the store's codec, much smaller than its JSON.
    for (const [name, codec] of [
      ["default", "zstd"],
      ["strings", "gzip"],
    ] as const) {
      const labels = { store: name, codec };
      const json = delta(before, after, "redisession_session_json_bytes_total", labels);
      const payload = delta(before, after, "redisession_session_payload_bytes_total", labels);
      expect(json).toBe(jsonBytes(big));
      expect(payload).toBeGreaterThan(0);
      expect(payload / json).toBeLessThan(0.2);
      expect(delta(before, after, "redisession_session_record_bytes_count", labels)).toBe(1);
      expect(delta(before, after, "redisession_session_record_bytes_sum", labels)).toBe(
        headerBytes(name) + payload,
      );
      expect(delta(before, after, "redisession_session_record_bytes_bucket", { ...labels, le: "512" })).toBe(
        1,
      );
      expect(delta(before, after, "redisession_session_record_bytes_bucket", { ...labels, le: "32" })).toBe(
        0,
      );
    }

    expect(after.value("redisession_redis_connection_ready", { connection: "default" })).toBe(1);
  });

  it("count sweeps: PurgeExpired's, and any other reported through the stores' observer", async () => {
    // Sessions that expired an hour ago, written into the default store behind the server's back.
    const past = makeStore(redis, { ...TEST_STORES.default, prefix: "default:" });
    past.clock.advanceSeconds(-3600);
    for (let i = 0; i < 3; i++) await past.repository.create({ expired: i }, { ttl: 60 });
    await api().createSession({ content: { case: "data", value: { live: true } } });
    const admin = createClient(SessionAdminService, `127.0.0.1:${served.server.port}`);
    const before = await metrics();
    try {
      expect((await admin.purgeExpired({})).fieldsRemoved).toBe(3n);
      expect((await admin.purgeExpired({ store: "strings" })).applicable).toBe(false);
    } finally {
      admin.close();
    }
    const purged = await metrics();
    const store = { store: "default" };
    expect(delta(before, purged, "redisession_sessions_swept_total", store)).toBe(3);
    expect(delta(before, purged, "redisession_sweep_duration_seconds_count", store)).toBe(1);
    expect(purged.value("redisession_sweep_duration_seconds_count", { store: "strings" })).toBeUndefined();
    const purge = { rpc: "redisession.v1.SessionAdminService/PurgeExpired", code: "OK" };
    expect(delta(before, purged, "redisession_rpc_calls_total", purge)).toBe(2);

    // A sweep run elsewhere (a scheduler) reports through the stores' observer.
    const { sweeper } = served.server.stores.get("default");
    if (sweeper === null) throw new Error("the default store should be a hash store");
    const report = { ...(await sweeper.sweep()), fieldsRemoved: 5, elapsedMs: 250 };
    served.server.stores.observer.swept?.("default", report);
    const after = await metrics();
    expect(delta(purged, after, "redisession_sessions_swept_total", store)).toBe(5);
    expect(delta(purged, after, "redisession_sweep_duration_seconds_count", store)).toBe(1);
    expect(delta(purged, after, "redisession_sweep_duration_seconds_sum", store)).toBeCloseTo(0.25, 9);
    expect(delta(purged, after, "redisession_sweep_duration_seconds_bucket", { ...store, le: "0.1" })).toBe(
      0,
    );
    expect(delta(purged, after, "redisession_sweep_duration_seconds_bucket", { ...store, le: "0.5" })).toBe(
      1,
    );
  });

  it("count a lost Redis connection, its reconnection and readiness", async () => {
    const before = await metrics();
    // Kills the server's connection (every normal client but the fixture's own).
    expect(
      Number(await redis.raw("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")),
    ).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () =>
        delta(before, await metrics(), "redisession_redis_reconnects_total", { connection: "default" }),
      )
      .toBe(1);
    const after = await (async () => {
      await expect
        .poll(async () =>
          (await metrics()).value("redisession_redis_connection_ready", { connection: "default" }),
        )
        .toBe(1);
      return metrics();
    })();
    const errors = after.matching("redisession_redis_errors_total", { connection: "default" });
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(1);
    for (const sample of errors) expect(sample.labels.kind).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(before.matching("redisession_redis_errors_total", { connection: "default" })).toEqual([]);
    // And the service works again.
    expect((await api().createSession({})).session?.version).toBe(1);
  });
});
