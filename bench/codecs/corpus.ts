/**
 * The session corpus: deterministic, varied session JSON of a web shop (CSRF token, user, preferences, flash
 * messages, cart, recently viewed products, searches, experiments, a cached profile, a checkout draft).
 *
 * Each session is grown towards a size drawn within ±15% of its tier, so a tier is a spread of sizes and shapes
 * rather than one document repeated (which would flatter every codec equally and hide the small-size behaviour).
 */
import { int, type Random, randomBytes, seededRandom, seedFor } from "../support/random.js";
import { growOnce, type Json, SECTIONS } from "./session-parts.js";

/** Roughly "now" for the corpus, fixed so timestamps are reproducible (Unix seconds). */
const EPOCH = 1_717_000_000;

/** `items` in a random order (Fisher–Yates: unbiased, and the same on every engine, unlike a random sort). */
function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = int(random, 0, i);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

function jsonLength(json: Json): number {
  return JSON.stringify(json).length;
}

/** The largest item a grower adds, in JSON bytes (an address, a cart line): bounds the overshoot of a batch. */
const MAX_ITEM_BYTES = 200;

/**
 * Session `index` of the tier whose nominal JSON size is `tierBytes`; `stream` picks an independent corpus of the
 * same shape (the measured sessions use the tier itself, a dictionary is trained on another stream).
 */
export function session(tierBytes: number, index: number, stream: number = tierBytes): Json {
  const random = seededRandom(seedFor(stream, index));
  const lower = tierBytes * 0.85;
  const upper = tierBytes * 1.15;
  const target = lower + (upper - lower) * random();
  const now = EPOCH + int(random, 0, 30 * 86_400);
  // The CSRF secret: 32 random bytes, base64url, in every session. No codec can shrink it.
  let json: Json = {
    csrfToken: randomBytes(random, 32).toString("base64url"),
    createdAt: now - int(random, 0, 7 * 86_400),
  };
  let length = jsonLength(json);
  // A section that would push a small session past its tier is skipped, so the 200 B tier stays near 200 B.
  for (const add of shuffled(random, SECTIONS)) {
    if (length >= target) return json;
    const next = structuredClone(json);
    add(next, random, now);
    const nextLength = jsonLength(next);
    if (nextLength <= upper) [json, length] = [next, nextLength];
  }
  let misses = 0;
  while (length < target) {
    const gap = target - length;
    if (gap > 2 * MAX_ITEM_BYTES) {
      // Far from the target: grow in batches that cannot overshoot, re-serializing once per batch (not per item).
      for (let i = Math.floor(gap / MAX_ITEM_BYTES) - 1; i > 0; i--) growOnce(json, random, now);
      length = jsonLength(json);
      continue;
    }
    const next = structuredClone(json);
    growOnce(next, random, now);
    const nextLength = jsonLength(next);
    if (nextLength > upper) {
      if (length >= lower) break;
      // Too small to stop and this item is too big: draw another (a smaller kind) a few times before giving in.
      if (++misses < 20) continue;
    }
    [json, length] = [next, nextLength];
  }
  return json;
}

/** `count` sessions of a tier, serialized as the store would (UTF-8 JSON). */
export function sessions(tierBytes: number, count: number, stream: number = tierBytes): Buffer[] {
  return Array.from({ length: count }, (_, index) =>
    Buffer.from(JSON.stringify(session(tierBytes, index, stream)), "utf8"),
  );
}

/** The tiers of the issue: about 200 B, 400 B, 1 KB, 4 KB and 16 KB of JSON. */
export const TIERS = [200, 400, 1024, 4096, 16_384] as const;
