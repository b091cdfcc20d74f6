/**
 * Sizes and timings of every variant on every tier. The machine is shared and noisy (other benchmarks run on its
 * two cores), so:
 *
 * - the sessions of a tier are timed in chunks of {@link CHUNK_SESSIONS}, and within a round the variants take
 *   turns chunk by chunk, in an order rotated every round: a burst of load from elsewhere then lands on all of them
 *   for a few milliseconds rather than on whichever codec was running its whole batch at the time;
 * - each chunk's time is the median of its rounds, and a variant's µs per session is the sum of those medians
 *   over the sessions timed: a burst spoils one chunk of one round, which the median discards.
 */
import { median, progress } from "../support/harness.js";
import type { Variant } from "./variants.js";

export interface Tier {
  /** Nominal JSON size: 200, 400, 1024… */
  readonly bytes: number;
  readonly inputs: readonly Buffer[];
}

export interface Cell {
  readonly variant: string;
  readonly tier: number;
  readonly meanJsonBytes: number;
  /** Mean bytes the codec wrote (the record payload; the 14-byte header is the same for every codec). */
  readonly meanStoredBytes: number;
  /** Mean JSON bytes ÷ mean stored bytes. */
  readonly ratio: number;
  readonly compressUs: number;
  readonly decompressUs: number;
  /** Median absolute deviation of the per-round totals, relative to their median: how noisy the cell was. */
  readonly compressSpread: number;
  readonly decompressSpread: number;
  /** µs per session of each round (all chunks summed), for the results file. */
  readonly compressRounds: readonly number[];
  readonly decompressRounds: readonly number[];
}

/** Sessions per timed chunk: long enough to dwarf the timer (≥ 5 µs), short enough to interleave finely. */
const CHUNK_SESSIONS = 50;

/** Anything the loops return is summed here so no call can be dropped as dead code. */
let sink = 0;

/** Nanoseconds to run `fn` over `inputs`. */
function timeNs(fn: (input: Uint8Array) => Buffer, inputs: readonly Uint8Array[]): number {
  const start = process.hrtime.bigint();
  for (const input of inputs) sink += fn(input).length;
  return Number(process.hrtime.bigint() - start);
}

function relativeSpread(values: readonly number[]): number {
  const middle = median(values);
  return median(values.map((value) => Math.abs(value - middle))) / middle;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: readonly number[]) => sum(values) / values.length;

/** ns of each chunk in each round: [chunk][round]. */
type ChunkTimes = number[][];

/** µs per session from chunk times: the per-chunk medians summed, and the per-round totals (for the spread). */
function perSession(times: ChunkTimes, sessions: number, rounds: number) {
  const total = sum(times.map((chunk) => median(chunk)));
  const perRound = Array.from(
    { length: rounds },
    (_, r) => sum(times.map((chunk) => chunk[r] ?? 0)) / sessions / 1000,
  );
  return { us: total / sessions / 1000, perRound, spread: relativeSpread(perRound) };
}

export function measure(variants: readonly Variant[], tiers: readonly Tier[], rounds: number): Cell[] {
  // Encode once for the sizes and as the inputs of the decompression timings, and check every round trip: a
  // codec that silently lost data would otherwise post excellent figures.
  const encoded = variants.map((variant) =>
    tiers.map(({ inputs }) =>
      inputs.map((input) => {
        const output = variant.compress(input);
        if (!variant.decompress(output).equals(input))
          throw new Error(`${variant.label} does not round-trip`);
        return output;
      }),
    ),
  );
  const timed = (variant: Variant, tier: Tier) =>
    Math.min(variant.timedSessions ?? Infinity, tier.inputs.length);
  const chunks = (count: number) => Math.ceil(count / CHUNK_SESSIONS);
  const times = variants.map((variant) =>
    tiers.map((tier) => {
      const count = chunks(timed(variant, tier));
      return {
        compress: Array.from({ length: count }, () => [] as number[]),
        decompress: Array.from({ length: count }, () => [] as number[]),
      };
    }),
  );
  // Round 0 is the warm-up (JIT, zstd contexts, zlib and brotli state, allocator): run in full, not recorded.
  for (let round = 0; round <= rounds; round++) {
    progress(round === 0 ? "codecs: warm-up round" : `codecs: round ${round}/${rounds}`);
    tiers.forEach((tier, t) => {
      for (let c = 0; c < chunks(tier.inputs.length); c++) {
        const from = c * CHUNK_SESSIONS;
        for (let turn = 0; turn < variants.length; turn++) {
          const v = (turn + round) % variants.length;
          const variant = variants[v] as Variant;
          const to = Math.min(from + CHUNK_SESSIONS, timed(variant, tier));
          if (from >= to) continue;
          const compressNs = timeNs(variant.compress, tier.inputs.slice(from, to));
          const decompressNs = timeNs(variant.decompress, (encoded[v]?.[t] ?? []).slice(from, to));
          if (round === 0) continue;
          times[v]?.[t]?.compress[c]?.push(compressNs);
          times[v]?.[t]?.decompress[c]?.push(decompressNs);
        }
      }
    });
  }
  if (sink < 0) throw new Error("unreachable");
  return variants.flatMap((variant, v) =>
    tiers.map((tier, t) => {
      const stored = (encoded[v]?.[t] ?? []).map((output) => output.length);
      const meanJsonBytes = mean(tier.inputs.map((input) => input.length));
      const sessions = timed(variant, tier);
      const compress = perSession(times[v]?.[t]?.compress ?? [], sessions, rounds);
      const decompress = perSession(times[v]?.[t]?.decompress ?? [], sessions, rounds);
      return {
        variant: variant.label,
        tier: tier.bytes,
        meanJsonBytes,
        meanStoredBytes: mean(stored),
        ratio: meanJsonBytes / mean(stored),
        compressUs: compress.us,
        decompressUs: decompress.us,
        compressSpread: compress.spread,
        decompressSpread: decompress.spread,
        compressRounds: compress.perRound,
        decompressRounds: decompress.perRound,
      };
    }),
  );
}
