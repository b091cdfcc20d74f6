/** What a store's stats say, as both strategies' stats make them and the admin RPC and the CLI show them. */

/** Fill of the hash strategy's buckets. */
export interface BucketFill {
  /** Buckets the store has (2^bucketBits). */
  readonly count: number;
  /** Buckets whose size was read (all of them up to {@link MAX_EXACT_BUCKETS}, else a sample). */
  readonly scanned: number;
  readonly empty: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** Redis' limits for packing a Hash as a listpack (null when CONFIG GET is not allowed). */
export interface ListpackLimits {
  readonly entries: number;
  readonly value: number;
}

/** What a store looks like in Redis. */
export interface StoreStats {
  readonly strategy: "string" | "hash";
  /**
   * Sessions stored. In the hash strategy this includes expired sessions not yet swept; it is extrapolated from
   * a sample when {@link StoreStats.exact} is false.
   */
  readonly sessions: number;
  readonly exact: boolean;
  /** Hash strategy only. */
  readonly buckets?: BucketFill;
  /** `OBJECT ENCODING` of sampled keys (buckets, or session Strings), by encoding. */
  readonly encodings: Readonly<Record<string, number>>;
  /** Sizes of sampled stored records (header + payload), in bytes. */
  readonly recordBytes: { readonly sampled: number; readonly mean: number; readonly max: number };
  readonly listpackLimits: ListpackLimits | null;
  /**
   * The server's `maxmemory-policy` (from `INFO memory`; null when INFO is refused). Any policy but `noeviction`
   * may delete live sessions when Redis is full: an advisory then says what it means for this store.
   */
  readonly maxmemoryPolicy: string | null;
  /** Redis memory of the store, estimated from `MEMORY USAGE` of the sampled keys (null when MEMORY is refused). */
  readonly memory: MemoryEstimate | null;
  /**
   * Plain-language warnings: where the store's layout stops paying, whether Redis may evict its sessions, and what
   * to change.
   */
  readonly advisories: string[];
}

/** The store's memory footprint, estimated from samples. */
export interface MemoryEstimate {
  /** Keys whose `MEMORY USAGE` was read. */
  readonly sampledKeys: number;
  /** Mean bytes per session in the sample, all overhead included (key, object, encoding). */
  readonly bytesPerSession: number;
  /** `bytesPerSession` times the store's sessions. */
  readonly totalBytes: number;
}

/** Options of a stats call. */
export interface StatsOptions {
  /** Keys sampled for encodings and record sizes. Default: 32. */
  readonly sampleSize?: number;
}

/** A repository that can describe its footprint. */
export interface StatsProvider {
  stats(options?: StatsOptions): Promise<StoreStats>;
}
