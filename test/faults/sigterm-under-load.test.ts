import { status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient } from "../../src/client/index.js";
import { createRedisClient } from "../../src/store/redis/redis-connection.js";
import { codesOutside, countCodes, outcomeOf } from "../support/call-outcomes.js";
import { healthWatch, rawClient } from "../support/raw-grpc.js";
import { blockedClients, pauseRedisWrites, unpauseRedis } from "../support/redis-process.js";
import { spawnServe } from "../support/serve-process.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the server logs when calls outlast the grace period and it closes them. */
const GRACE_OVER = "grace period over: closing remaining calls";

/** Concurrent callers, each looping over CreateSession. */
const CALLERS = 200;
/**
 * The server's grace period, request timeout and the calls' deadline: far longer than a busy machine takes to
 * drain the calls held in flight, so that the grace period being cut short or a call timing out can only mean a
 * call the server lost track of. The server exits as soon as the calls are drained, so a passing run never waits
 * for it.
 */
const GRACE_MS = 60_000;
/** Longer than any test runs: Redis holds the writes of the calls in flight until the test lets them through. */
const PAUSE_MS = 120_000;

interface Call {
  readonly id: number;
  /** Whether it was started before the signal was sent, or after the server reported NOT_SERVING. */
  readonly started: "before" | "after";
  code?: status;
  /** Whether it was still waiting for its answer when the signal was sent. */
  inFlightAtSignal?: boolean;
}

/** The `call` numbers in the data of every session stored in the Redis at `url` (the store keeps JSON plain). */
async function storedCallIds(url: string): Promise<Set<number>> {
  const client = createRedisClient({ name: "inspect", url, connectTimeoutMs: 2_000 });
  await client.connect();
  try {
    const values = (await client.sendCommand([
      "EVAL",
      "local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do out[#out + 1] = redis.call('GET', k) end return out",
      "0",
    ])) as string[];
    return new Set(values.map((value) => Number(/"call":(\d+)/.exec(value)?.[1] ?? Number.NaN)));
  } finally {
    client.destroy();
  }
}

describe("redisession serve on SIGTERM under load", () => {
  it("completes every call in flight, refuses every call started after it, and exits 0 within the grace period", async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    // Plain JSON records (no codec) so that each stored session can be traced back to the call that made it;
    // no periodic health checks, so that only the shutdown turns the status NOT_SERVING.
    const serve = await spawnServe(
      [
        `redis: { default: { url: "${redis.url}" } }`,
        "stores: { default: { strategy: string, codec: none } }",
        `server: { healthIntervalMs: 60000, shutdownGraceMs: ${GRACE_MS}, requestTimeoutMs: ${GRACE_MS}, metrics: { host: 127.0.0.1, port: 0 } }`,
      ].join("\n"),
    );
    cleanups.push(() => serve.kill());
    const target = `127.0.0.1:${serve.port}`;
    const client = createSessionClient(target, { defaultTimeoutMs: GRACE_MS, retry: false });
    const raw = rawClient(target);
    cleanups.push(
      () => client.close(),
      () => raw.close(),
    );
    const watch = healthWatch(raw);
    await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);

    const calls: Call[] = [];
    let started: Call["started"] = "before";
    let nextId = 0;
    let stopped = false;
    // While set, callers start no new call (they wait for it to resolve).
    let gate: Promise<void> | undefined;
    let openGate = () => {};
    // However the test ends, the callers stop with it.
    cleanups.push(() => {
      stopped = true;
      openGate();
    });
    const caller = async () => {
      // After the shutdown is seen, a few more calls each: enough to show they are refused.
      for (let afterCalls = 0; afterCalls < 5; ) {
        await gate;
        if (stopped) return;
        const call: Call = { id: nextId++, started };
        if (call.started === "after") afterCalls++;
        calls.push(call);
        call.code = (
          await outcomeOf(() => client.createSession({ content: { case: "data", value: { call: call.id } } }))
        ).code;
      }
    };
    const callers = Promise.all(Array.from({ length: CALLERS }, caller));
    // Steady traffic: as many calls answered as there are callers.
    await expect
      .poll(() => calls.filter((call) => call.code === status.OK).length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(CALLERS);

    // Redis holds the writes of the calls in flight until the test releases them, so they stay inside the server
    // (at least one is once Redis reports a client blocked by the pause); no new calls start until the server
    // reports the shutdown.
    await pauseRedisWrites(redis.url, PAUSE_MS);
    cleanups.push(() => unpauseRedis(redis.url));
    await expect.poll(() => blockedClients(redis.url)).toBeGreaterThanOrEqual(1);
    gate = new Promise((resolve) => {
      openGate = resolve;
    });
    // A call that needs no Redis, sent on the same connection after every call in flight: once it is answered,
    // the server has read them all, so each of them is in the server's hands when the signal comes.
    expect((await outcomeOf(() => client.getSession({ key: "not a key" }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    for (const call of calls) call.inFlightAtSignal = call.code === undefined;
    serve.child.kill("SIGTERM");
    // The server reports NOT_SERVING before it refuses calls, in the same turn of its event loop; so any call this
    // process starts after reading that is processed by the server after the refusal began.
    await expect.poll(() => watch.statuses.at(-1)).toBe(Serving.NOT_SERVING);
    started = "after";
    openGate();
    // The calls in flight may finish now: well within the grace period, which the test checks the server did not
    // need to cut short.
    await unpauseRedis(redis.url);

    const exit = await serve.exited;
    stopped = true;
    await callers;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(serve.logs.filter((record) => record.msg === GRACE_OVER)).toEqual([]);
    const codes = (which: Call["started"]) =>
      countCodes(calls.filter((call) => call.started === which) as { code: status }[]);
    const all = countCodes(calls as { code: status }[]);
    expect(codesOutside(all, [status.OK, status.UNAVAILABLE]), JSON.stringify(all)).toEqual([]);
    // Nothing started before the signal failed, including the calls in flight when it came.
    expect(calls.filter((call) => call.inFlightAtSignal).length).toBeGreaterThanOrEqual(CALLERS / 2);
    expect(codesOutside(codes("before"), [status.OK]), JSON.stringify(codes("before"))).toEqual([]);
    // Everything started once the server said it was shutting down was refused.
    expect(codes("after").UNAVAILABLE ?? 0).toBeGreaterThanOrEqual(CALLERS);
    expect(codesOutside(codes("after"), [status.UNAVAILABLE]), JSON.stringify(codes("after"))).toEqual([]);
    // A refused call was never begun (its session is not in Redis); every answered one was carried out. So no
    // call the server had taken on failed, whichever side of the signal it was started on.
    const stored = await storedCallIds(redis.url);
    const ok = calls.filter((call) => call.code === status.OK).map((call) => call.id);
    const refused = calls.filter((call) => call.code === status.UNAVAILABLE).map((call) => call.id);
    expect(ok.filter((id) => !stored.has(id))).toEqual([]);
    expect(refused.filter((id) => stored.has(id))).toEqual([]);
  });
});
