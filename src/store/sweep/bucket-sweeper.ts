/**
 * The sweep of a hash store: expired fields removed bucket by bucket inside Redis, in bucket order so that a
 * budgeted sweep can resume where it stopped.
 */

import type { RedisLink } from "../redis/redis-link.js";
import type { Sweeper, SweepOptions, SweepReport } from "../session-repository.js";
import type { BucketLayout } from "../strategies/bucket-layout.js";
import { HASH_SWEEP_BUCKET } from "../strategies/lua/hash-scripts.js";

/** Buckets swept concurrently (node-redis pipelines them on one connection). */
const SWEEP_BATCH = 64;

/**
 * Sweeps a hash store's buckets `fromBucket` .. `fromBucket + maxBuckets - 1` in order, one Lua script per bucket,
 * so values never leave Redis and each bucket is examined atomically. Walking in order (not sampling random keys,
 * as the seed's `cleanuprs` did) means a budgeted sweep resumed from `nextBucket` covers every bucket in turn.
 */
export class BucketSweeper implements Sweeper {
  constructor(
    private readonly link: RedisLink,
    readonly layout: BucketLayout,
    /** Now, in Unix seconds: fields that expired by then are deleted. */
    private readonly now: () => number,
  ) {}

  async sweep(options: SweepOptions = {}): Promise<SweepReport> {
    const { link, layout } = this;
    const now = this.now();
    const started = performance.now();
    const from = Math.min(Math.max(0, Math.floor(options.fromBucket ?? 0)), layout.count);
    const budget = Math.max(0, Math.floor(options.maxBuckets ?? layout.count));
    const end = Math.min(layout.count, from + budget);
    const total = end - from;
    let fieldsScanned = 0;
    let fieldsRemoved = 0;
    let corruptFields = 0;

    let batchStart = from;
    for (; batchStart < end && !options.signal?.aborted; batchStart += SWEEP_BATCH) {
      const batchEnd = Math.min(end, batchStart + SWEEP_BATCH);
      const replies = await Promise.all(
        Array.from({ length: batchEnd - batchStart }, (_, offset) =>
          link.run(HASH_SWEEP_BUCKET, [layout.bucketAt(batchStart + offset)], [String(now)]),
        ),
      );
      for (const reply of replies) {
        const [scanned, removed, corrupt] = Array.isArray(reply) ? reply.map(Number) : [];
        fieldsScanned += scanned ?? 0;
        fieldsRemoved += removed ?? 0;
        corruptFields += corrupt ?? 0;
      }
      options.onProgress?.(batchEnd - from, total);
    }

    // Stopped early by the signal: report the buckets actually swept, and resume from the first one not swept.
    const stoppedAt = Math.min(batchStart, end);
    return {
      bucketsScanned: stoppedAt - from,
      fieldsScanned,
      fieldsRemoved,
      corruptFields,
      nextBucket: stoppedAt < layout.count ? stoppedAt : null,
      elapsedMs: performance.now() - started,
    };
  }
}
