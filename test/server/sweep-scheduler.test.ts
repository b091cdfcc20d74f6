import { describe, expect, it } from "vitest";
import {
  type ScheduledSweepReport,
  type SweepableStore,
  SweepScheduler,
  type SweepSchedulerOptions,
  type SweepSettings,
  type SweepTarget,
  type SweepTimers,
  startSweeper,
} from "../../src/server/sweep-scheduler.js";
import { createSessionRepository } from "../../src/store/create-session-repository.js";
import type { RedisClient } from "../../src/store/redis/redis-connection.js";
import type { RedisSessionRepository } from "../../src/store/redis-session-repository.js";
import { sweepKeys } from "../../src/store/sweep/sweep-lease.js";
import { useRedis } from "../support/redis-fixture.js";
import { makeStore, readRaw, sweeperOf } from "../support/store-fixture.js";

const redis = useRedis();

const BUCKETS = 16;
/** A lease that no test outlives in real time: it runs out only when a test says so. */
const LEASE_MS = 60_000;
/** What a test leaves of a lease to say that its time is nearly up. */
const ALMOST_OUT_MS = 1_000;

function settings(overrides: Partial<SweepSettings> = {}): SweepSettings {
  return { intervalMs: 0, bucketsPerRun: 4096, leaseMs: 30_000, ...overrides };
}

/** A 16-bucket hash store with sessions that outlive the sweeps and sessions already expired (clock moved). */
async function populated(live = 30, doomed = 60) {
  const store = makeStore(redis, { strategy: "hash", bucketBits: 4, codec: "none" });
  const { repository } = store;
  const liveKeys: string[] = [];
  const doomedKeys: string[] = [];
  for (let i = 0; i < live; i++) liveKeys.push((await repository.create({ i }, { ttl: 3600 })).key);
  for (let i = 0; i < doomed; i++) doomedKeys.push((await repository.create({ i }, { ttl: 10 })).key);
  store.clock.advanceSeconds(60);
  const keys = sweepKeys(sweeperOf(repository).layout.prefix);
  /** The same store as another replica sees it: its own client, the same clock. */
  const replica = (client: RedisClient) =>
    createSessionRepository(store.config, client, { clock: store.clock.now });
  return { ...store, repository, liveKeys, doomedKeys, keys, replica };
}

/** Options collecting what a scheduler reports: its sweeps (as the stores' observer gets them) and logged errors. */
function reporting(reports: ScheduledSweepReport[], errors: unknown[]): SweepSchedulerOptions {
  return {
    observer: { swept: (_, r) => reports.push(r) },
    logger: { info() {}, warn: (fields) => errors.push(fields.err) },
  };
}

/** A scheduler over one store, collecting what it reports. */
function scheduler(
  repository: SweepTarget["repository"],
  client: RedisClient,
  sweep: Partial<SweepSettings> = {},
  options: SweepSchedulerOptions = {},
) {
  const reports: ScheduledSweepReport[] = [];
  const errors: unknown[] = [];
  const instance = new SweepScheduler([{ name: "test", repository, client }], settings(sweep), {
    ...reporting(reports, errors),
    ...options,
  });
  return { scheduler: instance, reports, errors };
}

/** One sweep call of a {@link stepped} store, waiting for the test to let it run. */
interface HeldChunk {
  release(): void;
}

/**
 * The store with every sweep call (one chunk of a run) held until the test releases it: a run lasts exactly as
 * many steps as the test wants, whatever the machine's speed, without making Redis slow for everyone.
 */
function stepped(repository: RedisSessionRepository) {
  const sweeper = sweeperOf(repository);
  const held: HeldChunk[] = [];
  const waiters: ((chunk: HeldChunk) => void)[] = [];
  let holding = true;
  const heldSweeper: SweepableStore = {
    layout: sweeper.layout,
    sweep: async (options) => {
      if (holding) {
        await new Promise<void>((release) => {
          const chunk = { release: () => release() };
          const waiter = waiters.shift();
          if (waiter === undefined) held.push(chunk);
          else waiter(chunk);
        });
      }
      return sweeper.sweep(options);
    },
  };
  return {
    /** The store as a scheduler target, its sweeper held. */
    store: { sweeper: heldSweeper },
    /** The next chunk the run asks to sweep, once it asks. */
    next(): Promise<HeldChunk> {
      const chunk = held.shift();
      return chunk === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(chunk);
    },
    /** Releases every chunk held, and holds none from now on. */
    runFree(): void {
      holding = false;
      for (const chunk of held.splice(0)) chunk.release();
    },
  };
}

/**
 * Timers the test fires itself ({@link SweepTimers}): each handle is a real, unref'd Node timer that would fire
 * only after 24 days, so the scheduler can unref and clear it as usual.
 */
function manualTimers() {
  const pending = new Map<NodeJS.Timeout, () => void>();
  const delays: number[] = [];
  let onArmed: (() => void) | undefined;
  const timers: SweepTimers = {
    setTimeout: (callback, ms) => {
      const handle = setTimeout(() => {}, 2 ** 31 - 1);
      handle.unref();
      pending.set(handle, callback);
      delays.push(ms);
      onArmed?.();
      return handle;
    },
    clearTimeout: (handle) => {
      clearTimeout(handle);
      pending.delete(handle);
    },
  };
  return {
    timers,
    /** The delay of every timer armed so far. */
    delays,
    /** Timers armed and neither fired nor cleared. */
    get pending(): number {
      return pending.size;
    },
    /** Fires the one pending timer, then waits until its callback has armed the next one. */
    async fireAndWaitForNext(): Promise<void> {
      const [entry, ...others] = pending;
      if (entry === undefined || others.length > 0) throw new Error(`${pending.size} timers pending, not 1`);
      const [handle, callback] = entry;
      pending.delete(handle);
      clearTimeout(handle);
      const armed = new Promise<void>((resolve) => {
        onArmed = resolve;
      });
      callback();
      await armed;
      onArmed = undefined;
    },
  };
}

/** The buckets a run swept, in order. */
const sweptBuckets = (report: ScheduledSweepReport) =>
  Array.from({ length: report.bucketsScanned }, (_, i) => (report.fromBucket + i) % BUCKETS);

const bucketOf = (key: string) => Number.parseInt(key[0] ?? "0", 16);

async function leaseHolder(keys: { lease: Buffer }): Promise<string | null> {
  const reply = await redis.raw("GET", keys.lease);
  return reply === null ? null : String(reply);
}

describe("sweep scheduler", () => {
  it("removes expired sessions, keeps live ones, and stores and advances the shared cursor", async () => {
    const { repository, config, liveKeys, doomedKeys, keys } = await populated();
    const { scheduler: a, reports } = scheduler(repository, redis.client, { bucketsPerRun: 6 });

    const [first] = await a.runOnce();
    expect(first).toMatchObject({ store: "test", outcome: "swept" });
    expect(reports[0]).toMatchObject({
      fromBucket: 0,
      bucketsScanned: 6,
      cursor: 6,
      wrapped: false,
      cursorSaved: true,
    });
    expect(String(await redis.raw("GET", keys.cursor))).toBe("6");
    for (const key of doomedKeys) {
      const expected = bucketOf(key) < 6 ? null : expect.any(Buffer);
      expect(await readRaw(redis, config, key)).toEqual(expected);
    }
    expect(await redis.raw("EXISTS", keys.lease)).toBe(0);

    await a.runOnce();
    await a.runOnce(); // 12..15, then wraps to 0..1
    expect(reports.map((r) => [r.fromBucket, r.cursor, r.wrapped])).toEqual([
      [0, 6, false],
      [6, 12, false],
      [12, 2, true],
    ]);
    expect(String(await redis.raw("GET", keys.cursor))).toBe("2");
    expect(reports.reduce((n, r) => n + r.fieldsRemoved, 0)).toBe(doomedKeys.length);
    for (const key of doomedKeys) expect(await readRaw(redis, config, key)).toBeNull();
    for (const key of liveKeys) expect(await repository.get(key)).not.toBeNull();

    const whole = scheduler(repository, redis.client, { bucketsPerRun: 100 });
    await whole.scheduler.runOnce();
    // One run never sweeps a bucket twice: the budget is capped at one cycle.
    expect(whole.reports[0]).toMatchObject({
      fromBucket: 2,
      bucketsScanned: BUCKETS,
      cursor: 2,
      wrapped: true,
    });
  });

  it("lets only the lease holder sweep; replicas together cover every bucket once per cycle", async () => {
    const { repository, doomedKeys, keys, replica } = await populated();
    const clientB = await redis.newClient();
    const chunks = stepped(repository);
    const slowA = scheduler(chunks.store, redis.client, {}, { chunkBuckets: 1 });
    const b = scheduler(replica(clientB), clientB);

    const running = slowA.scheduler.runOnce();
    // A holds the lease while its first chunk waits.
    const first = await chunks.next();
    expect(await leaseHolder(keys)).toBe(slowA.scheduler.owner);
    expect(await b.scheduler.runOnce()).toEqual([{ store: "test", outcome: "busy" }]);
    expect(b.reports).toEqual([]);
    chunks.runFree();
    first.release();
    const [done] = await running;
    expect(done).toMatchObject({ outcome: "swept", report: { bucketsScanned: BUCKETS } });
    expect(slowA.reports.reduce((n, r) => n + r.fieldsRemoved, 0)).toBe(doomedKeys.length);

    // Two replicas taking turns, each on its own client: the cursor in Redis makes them one sweeper.
    const replicas = [
      scheduler(repository, redis.client, { bucketsPerRun: 5 }),
      scheduler(replica(clientB), clientB, { bucketsPerRun: 5 }),
    ];
    for (let turn = 0; turn < 7; turn++) await replicas[turn % 2]?.scheduler.runOnce();
    const reports = [0, 1, 2, 3, 4, 5, 6].map((turn) => replicas[turn % 2]?.reports[Math.floor(turn / 2)]);
    const order = reports.flatMap((report) => (report === undefined ? [] : sweptBuckets(report)));
    expect(order).toEqual(Array.from({ length: 35 }, (_, i) => i % BUCKETS));
  });

  it("waits out a crashed holder's lease, then takes over", async () => {
    const { repository, doomedKeys, keys } = await populated();
    await redis.raw("SET", keys.lease, "crashed-replica", "PX", 60_000);
    const { scheduler: b, reports } = scheduler(repository, redis.client);

    expect(await b.runOnce()).toEqual([{ store: "test", outcome: "busy" }]);
    expect(await redis.raw("EXISTS", keys.cursor)).toBe(0);
    // The crashed holder's lease runs out (Redis expires it; nobody deletes it).
    await redis.raw("PEXPIRE", keys.lease, 50);
    await expect.poll(async () => (await b.runOnce())[0]?.outcome, { timeout: 10_000 }).toBe("swept");
    expect(reports[0]?.fieldsRemoved).toBe(doomedKeys.length);
  });

  it("renews the lease through a sweep longer than the lease, and releases it at the end", async () => {
    const { repository, keys, replica } = await populated();
    const clientB = await redis.newClient();
    const chunks = stepped(repository);
    const clock = manualTimers();
    const a = scheduler(
      chunks.store,
      redis.client,
      { leaseMs: LEASE_MS },
      { chunkBuckets: 1, timers: clock.timers },
    );
    const b = scheduler(replica(clientB), clientB, { leaseMs: LEASE_MS });

    const running = a.scheduler.runOnce();
    const attempts: string[] = [];
    const renewedTtls: number[] = [];
    // One renewal period (a third of the lease) per chunk: 16 periods, a run over five leases long.
    for (let chunk = 0; chunk < BUCKETS; chunk++) {
      const held = await chunks.next();
      // As Redis sees it, the lease is about to run out; then the renewal timer fires.
      await redis.raw("PEXPIRE", keys.lease, ALMOST_OUT_MS);
      await clock.fireAndWaitForNext();
      renewedTtls.push(Number(await redis.raw("PTTL", keys.lease)));
      attempts.push((await b.scheduler.runOnce())[0]?.outcome ?? "none");
      held.release();
    }
    await running;
    expect(a.reports[0]).toMatchObject({ bucketsScanned: BUCKETS, cursorSaved: true });
    expect(clock.delays.every((ms) => ms === Math.floor(LEASE_MS / 3))).toBe(true);
    // Each renewal gave the lease its full length again (PTTL counts down from LEASE_MS as the test runs).
    expect(renewedTtls.filter((ttl) => ttl <= ALMOST_OUT_MS)).toEqual([]);
    expect(new Set(attempts)).toEqual(new Set(["busy"]));
    expect(clock.pending).toBe(0); // renewals end with the run
    expect(await redis.raw("EXISTS", keys.lease)).toBe(0);
    expect((await b.scheduler.runOnce())[0]?.outcome).toBe("swept");
  });

  it("reports each run's sweep to its observer once, and logs runs that removed sessions and failed runs", async () => {
    const { repository, keys } = await populated();
    const swept: [string, ScheduledSweepReport][] = [];
    const logged: [string, string, Record<string, unknown>][] = [];
    const sweeper = new SweepScheduler([{ name: "test", repository, client: redis.client }], settings(), {
      observer: { swept: (store, report) => swept.push([store, report]) },
      logger: {
        info: (fields, message) => logged.push(["info", message, fields]),
        warn: (fields, message) => logged.push(["warn", message, fields]),
      },
    });
    const [run] = await sweeper.runOnce();
    if (run?.outcome !== "swept") throw new Error(`sweep did not run: ${JSON.stringify(run)}`);
    expect(swept).toEqual([["test", run.report]]);
    expect(logged).toEqual([["info", "swept expired sessions", { store: "test", ...run.report }]]);
    expect(run.report.fieldsRemoved).toBe(60);

    // Nothing left to remove: reported, not logged.
    await sweeper.runOnce();
    expect(swept).toHaveLength(2);
    expect(logged).toHaveLength(1);

    // A cursor key of the wrong type fails the run: logged, not reported.
    await redis.raw("DEL", keys.cursor);
    await redis.raw("HSET", keys.cursor, "not", "a string");
    const [failed] = await sweeper.runOnce();
    if (failed?.outcome !== "failed") throw new Error(`run did not fail: ${JSON.stringify(failed)}`);
    expect(swept).toHaveLength(2);
    expect(logged.slice(1)).toEqual([
      ["warn", "sweep failed; will retry", { store: "test", err: failed.error }],
    ]);
  });

  it("ignores string stores", async () => {
    const hash = await populated();
    const text = makeStore(redis, { strategy: "string", prefix: "s:" });
    await text.repository.create({ a: 1 }, { ttl: 10 });
    const sweeper = new SweepScheduler(
      [
        { name: "text", repository: text.repository, client: redis.client },
        { name: "hash", repository: hash.repository, client: redis.client },
      ],
      settings(),
    );
    expect(sweeper.storeNames).toEqual(["hash"]);
    expect((await sweeper.runOnce()).map((run) => [run.store, run.outcome])).toEqual([["hash", "swept"]]);
    const stringKeys = sweepKeys(Buffer.from("s:"));
    expect(await redis.raw("EXISTS", stringKeys.lease, stringKeys.cursor)).toBe(0);
  });

  it("stop() ends a run after its current chunk, keeps its progress and releases the lease", async () => {
    const { repository, keys } = await populated();
    const chunks = stepped(repository);
    const a = scheduler(chunks.store, redis.client, {}, { chunkBuckets: 1 });
    const running = a.scheduler.runOnce();
    for (let chunk = 0; chunk < 3; chunk++) (await chunks.next()).release();
    // stop() while the fourth chunk is under way: that chunk completes, and no other starts.
    const current = await chunks.next();
    const stopping = a.scheduler.stop();
    current.release();
    await stopping;

    const [run] = await running;
    const report = a.reports[0];
    expect(run?.outcome).toBe("swept");
    expect(report).toMatchObject({ fromBucket: 0, bucketsScanned: 4, cursor: 4, cursorSaved: true });
    expect(String(await redis.raw("GET", keys.cursor))).toBe("4");
    expect(await redis.raw("EXISTS", keys.lease)).toBe(0);
    await expect(a.scheduler.runOnce()).rejects.toThrow(/stopped/);
  });

  it("runs on its interval with unref'd timers, and keeps running after failed runs", async () => {
    const { repository, keys } = await populated();
    const handles: NodeJS.Timeout[] = [];
    const pending = new Set<NodeJS.Timeout>();
    const timers: SweepTimers = {
      setTimeout: (callback, ms) => {
        const handle = setTimeout(() => {
          pending.delete(handle);
          callback();
        }, ms);
        handles.push(handle);
        pending.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        clearTimeout(handle);
        pending.delete(handle);
      },
    };
    // A cursor key of the wrong type makes every run fail until it is fixed.
    await redis.raw("HSET", keys.cursor, "not", "a string");
    const reports: ScheduledSweepReport[] = [];
    const errors: unknown[] = [];
    const sweeper = startSweeper(
      [{ name: "test", repository, client: redis.client }],
      settings({ intervalMs: 50, bucketsPerRun: 4 }),
      { timers, ...reporting(reports, errors) },
    );
    try {
      await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(await redis.raw("EXISTS", keys.lease)).toBe(0); // a failed run still releases its lease
      await redis.raw("DEL", keys.cursor);
      await expect.poll(() => reports.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      expect(reports.slice(0, 3).map((r) => r.fromBucket)).toEqual([0, 4, 8]);
    } finally {
      await sweeper.stop();
    }
    expect(handles.length).toBeGreaterThan(0);
    for (const handle of handles) expect(handle.hasRef()).toBe(false);
    // Stopped: no timer is left to start another run.
    expect(pending.size).toBe(0);
  });
});
