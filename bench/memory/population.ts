/**
 * Deterministic, realistic session data: what a web app keeps per visitor (user id, CSRF token, flash messages, a
 * small cart, preferences, recently viewed pages). Session `i` of a size class is the same in every row and every
 * run, so rows differ only in layout. Content mixes repeated JSON keys and vocabulary (compressible) with random
 * tokens and ids (not), as real sessions do; a row of `"x".repeat(n)` would flatter zstd and nothing else.
 */
import type { JsonObject, JsonValue } from "../../src/store/session.js";
import { seededRandom } from "../support/random.js";

/** A payload size class: sessions' JSON is spread over ±15% of `bytes`, never above {@link maxJsonBytes}. */
export interface SizeClass {
  readonly label: string;
  readonly bytes: number;
}

export const SIZE_CLASSES = {
  small: { label: "~200 B", bytes: 200 },
  medium: { label: "~1 KB", bytes: 1024 },
  large: { label: "~4 KB", bytes: 4096 },
} as const satisfies Record<string, SizeClass>;

const SPREAD = 0.15;

/** The largest JSON a session of `size` can have; the raised `hash-max-listpack-value` is derived from it. */
export function maxJsonBytes(size: SizeClass): number {
  return Math.floor(size.bytes * (1 + SPREAD));
}

/** `length` pseudo-random bytes. */
export function randomBytesFrom(random: () => number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const LANGS = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pl-PL", "pt-BR", "sv-SE"];
const ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Chicago", "Asia/Tokyo", "UTC"];
const ADJECTIVES = [
  "wireless",
  "ergonomic",
  "organic",
  "compact",
  "vintage",
  "smart",
  "waterproof",
  "classic",
];
const NOUNS = [
  "mouse",
  "keyboard",
  "coffee beans",
  "backpack",
  "desk lamp",
  "headphones",
  "notebook",
  "kettle",
];
const FLASHES = [
  ["success", "Your profile was updated."],
  ["info", "Items in your cart are reserved for 30 minutes."],
  ["warning", "Your password expires in 5 days."],
  ["success", "Added to your wishlist."],
  ["error", "The coupon code has expired."],
] as const;
const SECTIONS = ["products", "category", "account/orders", "search", "blog", "help/articles"];
const WORDS = [...ADJECTIVES, ...NOUNS, "please", "deliver", "after", "6pm", "ring", "twice", "side", "door"];

/** A JSON byte count (all generated text is ASCII, but count bytes anyway). */
const sizeOf = (value: JsonValue) => Buffer.byteLength(JSON.stringify(value));

/** What adding an element or a new member `name` holding `value` to a non-empty object costs. */
const memberBytes = (name: string, value: JsonValue) => 2 + sizeOf(name) + sizeOf(value);

/** An element not yet added, with what it will add to the JSON. */
interface Element {
  readonly bytes: number;
  add(): void;
}

/** Adding the member `name` holding `value` to the non-empty object `target`. */
function member(target: Record<string, JsonValue>, name: string, value: JsonValue): Element {
  return {
    bytes: memberBytes(name, value),
    add() {
      target[name] = value;
    },
  };
}

/** Appending `item` to the non-empty array `list`. */
function push(list: JsonValue[], item: JsonValue): Element {
  return {
    bytes: 1 + sizeOf(item),
    add() {
      list.push(item);
    },
  };
}

/**
 * The next optional element a session may carry (tens of bytes each), with its exact JSON cost, not yet added:
 * sizes are tracked incrementally so a 4 KB session is not re-serialized for every element it gets.
 */
function nextElement(data: Record<string, JsonValue>, random: () => number): Element {
  const roll = random();
  const append = (name: string, item: JsonValue) => {
    const list = data[name] as JsonValue[] | undefined;
    return list === undefined ? member(data, name, [item]) : push(list, item);
  };
  if (roll < 0.2) {
    const [type, message] = pick(random, FLASHES);
    return append("flash", { type, message });
  }
  if (roll < 0.55) {
    const item = {
      sku: `SKU-${100_000 + Math.floor(random() * 900_000)}`,
      name: `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`,
      qty: 1 + Math.floor(random() * 4),
      price: 99 + Math.floor(random() * 20_000),
    };
    const cart = data.cart as { items: JsonValue[] } | undefined;
    if (cart !== undefined) return push(cart.items, item);
    return member(data, "cart", { currency: pick(random, ["EUR", "USD", "GBP"]), items: [item] });
  }
  if (roll < 0.85) return append("recent", `/${pick(random, SECTIONS)}/${Math.floor(random() * 1_000_000)}`);
  // A half-filled form kept across a redirect: free text, the least compressible part besides tokens.
  const text = Array.from({ length: 3 + Math.floor(random() * 8) }, () => pick(random, WORDS)).join(" ");
  const draft = data.draft as Record<string, JsonValue> | undefined;
  if (draft === undefined) return member(data, "draft", { field0: text });
  return member(draft, `field${Object.keys(draft).length}`, text);
}

/** The sessions every row measures. */
export const MEASURED_STREAM = 0;
/** The sessions `zstd-dict` dictionaries are trained on: none of them is ever measured. */
export const TRAINING_STREAM = 1;

/**
 * The seed of session `index` of `stream`: (n × K + size) mod 2^32 with n = stream × 2^31 + index. K is odd, so
 * distinct n give distinct seeds, and streams share none while populations stay under 2^31 sessions. Stream 0 is
 * `index × K + size`, the seeds the measured population has always had.
 */
function seedOf(size: SizeClass, index: number, stream: number): number {
  return (Math.imul(stream * 2 ** 31 + index, 2_654_435_761) + size.bytes) >>> 0;
}

/**
 * Session number `index` of `size`: a base every session has, then optional elements until the JSON reaches a
 * per-session target drawn in ±15% of the class, topped up with a `returnTo` path to land within a few bytes.
 * `stream` picks an independent population of the same shape (see {@link TRAINING_STREAM}).
 */
export function sessionData(size: SizeClass, index: number, stream = MEASURED_STREAM): JsonObject {
  const random = seededRandom(seedOf(size, index, stream));
  const target = Math.min(maxJsonBytes(size), Math.round(size.bytes * (1 - SPREAD + 2 * SPREAD * random())));
  const data: Record<string, JsonValue> = {
    userId: 1 + Math.floor(random() * 5_000_000),
    csrfToken: randomBytesFrom(random, 32).toString("base64url"),
    prefs: { lang: pick(random, LANGS), theme: random() < 0.3 ? "dark" : "light", tz: pick(random, ZONES) },
    lastSeen: 1_764_000_000 + Math.floor(random() * 86_400 * 14),
  };
  let bytes = sizeOf(data);
  for (;;) {
    const element = nextElement(data, random);
    if (bytes + element.bytes > target) break;
    element.add();
    bytes += element.bytes;
  }
  // `,"returnTo":""` costs 14 bytes plus the path; a path shorter than 2 characters is not worth adding.
  const room = target - bytes - 14;
  if (room >= 2) {
    const path = `/${pick(random, SECTIONS)}/${randomBytesFrom(random, 3 * Math.ceil(room / 4)).toString("base64url")}`;
    data.returnTo = path.slice(0, room).padEnd(room, "x");
  }
  return data;
}

/** The last population generated, kept for the rows that follow (rows are ordered by size class). */
let cached: { size: SizeClass; json: string[] } | undefined;

/**
 * The JSON of sessions `0 … count-1` of `size`. Generating costs ~10–150 µs a session, more than writing it;
 * every row of a size class parses the same strings instead (a tenth of that) and counts exact JSON bytes.
 */
export function populationJson(size: SizeClass, count: number): readonly string[] {
  if (cached?.size !== size || cached.json.length < count) {
    cached = { size, json: Array.from({ length: count }, (_, i) => JSON.stringify(sessionData(size, i))) };
  }
  return cached.json;
}

/** The JSON of sessions `0 … count-1` of `size` in the training stream, never the measured ones (not cached). */
export function trainingJson(size: SizeClass, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(JSON.stringify(sessionData(size, i, TRAINING_STREAM))),
  );
}
