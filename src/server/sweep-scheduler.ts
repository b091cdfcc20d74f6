import type { ServerConfig } from "../config/server-schema.js";
import { type CommandSender, RedisLink } from "../store/redis/redis-link.js";
import type { Sweeper, SweepReport } from "../store/session-repository.js";
import type { StoreObserver } from "../store/store-context.js";
import type { StoreLogger } from "../store/store-logger.js";
import type { BucketLayout } from "../store/strategies/bucket-layout.js";
import { newLeaseOwner, SweepLease } from "../store/sweep/sweep-lease.js";
import { within } from "../store/within.js";

/** The `server.sweep` settings: interval (0 = no timer), buckets per run, lease length. */
export type SweepSettings = ServerConfig["sweep"];

/** What the scheduler needs of a hash store's sweeper: its bucket count and key prefix, and its sweep. */
export interface SweepableStore extends Pick<Sweeper, "sweep"> {
  readonly layout: Pick<BucketLayout, "count" | "prefix">;
}

/** One store to sweep. String stores may be listed too: they are skipped, having no sweeper. */
export interface SweepTarget {
  /** The store's name, for reports and logs. */
  readonly name: string;
  /** The store's repository (a `RedisSessionRepository`), of which only the sweeper is used. */
  readonly repository: { readonly sweeper: SweepableStore | null };
  /** The client the repository uses; the lease lives on the same Redis as the store's keys. */
  readonly client: CommandSender;
}

/** A run's report: the sweep's totals over every chunk, and where the shared cursor now stands. */
export interface ScheduledSweepReport extends SweepReport {
  /** The bucket this run started from (the stored cursor). */
  readonly fromBucket: number;
  /** The bucket the next run starts from (0 after the last bucket). */
  readonly cursor: number;
  /** Whether the run passed the last bucket, completing a cycle over every bucket. */
  readonly wrapped: boolean;
  /** False when the lease was lost midway: the work was done, but the cursor was left to the new holder. */
  readonly cursorSaved: boolean;
}

/** What one run did for one store. */
export type SweepRun =
  | { readonly store: string; readonly outcome: "swept"; readonly report: ScheduledSweepReport }
  /** Another replica (or a lease nobody released yet) holds the lease: nothing was swept. */
  | { readonly store: string; readonly outcome: "busy" }
  | { readonly store: string; readonly outcome: "failed"; readonly error: unknown };

/**
 * Where runs report a sweep: the stores' {@link StoreObserver} (metrics observe its `swept`), the one path every
 * sweep is reported through. Typed with the scheduler's fuller report, which a `StoreObserver` accepts.
 */
export type SweepReporter = { swept?(store: string, report: ScheduledSweepReport): void };

/** Where runs are logged: a run that removed sessions (info) and a failed run (warn). pino's logger fits. */
export interface SweepLogger extends StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

/** Timer functions, replaceable for tests; the defaults are Node's. */
export interface SweepTimers {
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(timer: NodeJS.Timeout): void;
}

/** Options of a {@link SweepScheduler}. */
export interface SweepSchedulerOptions {
  /** Receives every run that swept (part of) a store. Its callback must not throw; if it does, it is ignored. */
  readonly observer?: SweepReporter;
  /** Logs runs that removed sessions, and failed runs (which later runs retry). Default: silent. */
  readonly logger?: SweepLogger;
  /** The lease owner id. Default: random, unique to this scheduler. */
  readonly owner?: string;
  /**
   * Buckets per repository sweep call. Between calls the scheduler notices `stop()` and a lost lease, so this
   * bounds how long either waits. Default: 256.
   */
  readonly chunkBuckets?: number;
  readonly timers?: SweepTimers;
}

// Looked up at call time, so fake timers installed after import still apply.
const nodeTimers: SweepTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

interface Target {
  readonly name: string;
  readonly store: SweepableStore;
  readonly lease: SweepLease;
}

/**
 * Sweeps hash stores on a timer, safely with several replicas on one store: per store, a run takes the store's
 * lease (or skips the store when another replica holds it), sweeps up to `bucketsPerRun` buckets from the shared
 * cursor while renewing the lease every third of `leaseMs`, stores the new cursor and releases the lease.
 * Sweeping a bucket twice is harmless, so a lapsed lease costs only repeated work, never lost sessions.
 */
export class SweepScheduler {
  /** The id this scheduler's leases carry. */
  readonly owner: string;
  private readonly targets: readonly Target[];
  private readonly observer: SweepReporter;
  private readonly logger: SweepLogger | undefined;
  private readonly chunkBuckets: number;
  private readonly timers: SweepTimers;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  /** Settles when every run queued so far has ended; runs never overlap within one scheduler. */
  private idle: Promise<unknown> = Promise.resolve();

  constructor(
    targets: readonly SweepTarget[],
    private readonly settings: SweepSettings,
    options: SweepSchedulerOptions = {},
  ) {
    this.owner = options.owner ?? newLeaseOwner();
    this.observer = options.observer ?? {};
    this.logger = options.logger;
    this.chunkBuckets = Math.max(1, Math.floor(options.chunkBuckets ?? 256));
    this.timers = options.timers ?? nodeTimers;
    this.targets = targets.flatMap(({ name, repository: { sweeper }, client }) =>
      sweeper === null ? [] : [{ name, store: sweeper, lease: this.leaseOn(client, sweeper.layout.prefix) }],
    );
  }

  /** The names of the stores this scheduler sweeps (the hash stores among its targets). */
  get storeNames(): string[] {
    return this.targets.map((target) => target.name);
  }

  /** Starts the timer: a run every `intervalMs` after the previous one ends. Does nothing when it is 0. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule();
  }

  /**
   * Sweeps every store once now, after any run in progress (the admin RPC and tests use it). Never rejects for a
   * store's failure: that store's entry says `failed`.
   */
  runOnce(): Promise<SweepRun[]> {
    if (this.stopped) return Promise.reject(new Error("the sweep scheduler is stopped"));
    const run = this.idle.then(() => this.runAll());
    this.idle = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the timer; a run in progress ends after its current chunk, stores its cursor and releases its leases.
   * Resolves when that is done, or after `waitMs` when it is not: a run waiting on a Redis that stopped answering
   * must not hold up a shutdown (closing the connection then fails the run, and its lease expires on its own).
   * Later calls of {@link SweepScheduler.runOnce} reject.
   */
  async stop(waitMs = 5_000): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await within(this.idle, waitMs, undefined);
  }

  private leaseOn(client: CommandSender, prefix: Buffer): SweepLease {
    return new SweepLease(new RedisLink(client), prefix, this.owner, this.settings.leaseMs);
  }

  private schedule(): void {
    if (this.stopped || this.settings.intervalMs <= 0) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.runOnce().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.settings.intervalMs);
    // A sweeper must never be what keeps the process alive.
    this.timer.unref();
  }

  private async runAll(): Promise<SweepRun[]> {
    if (this.stopped) return [];
    // Stores are independent (often on different connections): one's slow sweep or failure delays no other.
    return Promise.all(this.targets.map((target) => this.runTarget(target)));
  }

  private async runTarget(target: Target): Promise<SweepRun> {
    try {
      const report = await this.sweepUnderLease(target);
      if (report === null) return { store: target.name, outcome: "busy" };
      this.notify(() => this.observer.swept?.(target.name, report));
      if (report.fieldsRemoved > 0) {
        this.notify(() => this.logger?.info({ store: target.name, ...report }, "swept expired sessions"));
      }
      return { store: target.name, outcome: "swept", report };
    } catch (error) {
      this.notify(() => this.logger?.warn({ store: target.name, err: error }, "sweep failed; will retry"));
      return { store: target.name, outcome: "failed", error };
    }
  }

  /** One run on one store; null when the lease is held by someone else. */
  private async sweepUnderLease({ store, lease }: Target): Promise<ScheduledSweepReport | null> {
    if (!(await lease.acquire())) return null;
    const renewal = keepRenewed(lease, this.timers);
    try {
      const count = store.layout.count;
      const fromBucket = await lease.readCursor(count);
      const budget = Math.min(this.settings.bucketsPerRun, count);
      const totals = {
        bucketsScanned: 0,
        fieldsScanned: 0,
        fieldsRemoved: 0,
        corruptFields: 0,
        elapsedMs: 0,
      };
      let cursor = fromBucket;
      let wrapped = false;
      // Chunk by chunk, so that stop() and a lost lease take effect between chunks.
      while (totals.bucketsScanned < budget && !renewal.lost && !this.stopped) {
        const maxBuckets = Math.min(this.chunkBuckets, budget - totals.bucketsScanned, count - cursor);
        const chunk = await store.sweep({ fromBucket: cursor, maxBuckets });
        if (chunk.bucketsScanned === 0) break; // cannot happen with cursor < count; guards against a spin
        totals.bucketsScanned += chunk.bucketsScanned;
        totals.fieldsScanned += chunk.fieldsScanned;
        totals.fieldsRemoved += chunk.fieldsRemoved;
        totals.corruptFields += chunk.corruptFields;
        totals.elapsedMs += chunk.elapsedMs;
        cursor = chunk.nextBucket ?? 0;
        wrapped ||= chunk.nextBucket === null;
      }
      const cursorSaved = !renewal.lost && (await lease.commitCursor(cursor));
      // As in a plain sweep, null says the run ended at the last bucket.
      const nextBucket = wrapped && cursor === 0 ? null : cursor;
      return { ...totals, nextBucket, fromBucket, cursor, wrapped, cursorSaved };
    } finally {
      renewal.stop();
      // Best effort: a lease not released expires by itself after leaseMs.
      await lease.release().catch(() => false);
    }
  }

  private notify(call: () => void): void {
    try {
      call();
    } catch {
      // An observer's or a logger's bug must not stop sweeping.
    }
  }
}

/**
 * Renews `lease` every third of its length until stopped, so a holder that stalls for up to two renewals still
 * keeps it. `lost` turns true once a renewal finds the lease gone or taken.
 */
function keepRenewed(lease: SweepLease, timers: SweepTimers): { readonly lost: boolean; stop(): void } {
  const state = { lost: false, stop };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  function next(): void {
    if (stopped || state.lost) return;
    timer = timers.setTimeout(
      () => {
        lease.renew().then(
          (ours) => {
            state.lost ||= !ours;
            next();
          },
          // Redis trouble: keep trying; if the lease lapses meanwhile, the final commit notices.
          next,
        );
      },
      Math.max(1, Math.floor(lease.leaseMs / 3)),
    );
    timer.unref();
  }
  function stop(): void {
    stopped = true;
    if (timer !== undefined) timers.clearTimeout(timer);
  }
  next();
  return state;
}

/** Creates a {@link SweepScheduler} over `targets` and starts its timer. */
export function startSweeper(
  targets: readonly SweepTarget[],
  settings: SweepSettings,
  options: SweepSchedulerOptions = {},
): SweepScheduler {
  const scheduler = new SweepScheduler(targets, settings, options);
  scheduler.start();
  return scheduler;
}
