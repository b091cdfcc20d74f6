/**
 * A seeded PRNG, so the corpus is byte-for-byte the same on every run and machine: sizes and ratios can then be
 * compared across runs, and only the timings move.
 */

/** Uniform floats in [0, 1) from a 32-bit seed (mulberry32: tiny, fast, good enough for test data). */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A seed for item `index` of stream `stream`: each session gets its own, so a quick corpus is a prefix of the full one. */
export function seedFor(stream: number, index: number): number {
  return (Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

/** An integer in [min, max]. */
export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of `items`, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * An index in [0, n) skewed towards 0 (roughly Zipf-like): a few popular products appear in many sessions, as in
 * real traffic, which is what a shared dictionary could exploit and a per-record codec cannot.
 */
export function skewedIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(n * random() ** 3));
}

/** `count` random bytes (for tokens: these are what no codec can shrink). */
export function randomBytes(random: Random, count: number): Buffer {
  const bytes = Buffer.allocUnsafe(count);
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}
