/**
 * The pieces a generated session is made of: a shared product catalogue, one-off sections (cookie, user,
 * preferences, landing page) and growers that add list items (flash messages, cart lines, recently viewed
 * products, searches, experiments, permissions, addresses, a checkout note). corpus.ts decides how many.
 */
import { int, pick, type Random, randomBytes, seededRandom, skewedIndex } from "../support/random.js";
import {
  ADJECTIVES,
  CATEGORIES,
  CITIES,
  COLOURS,
  EXPERIMENTS,
  FIRST_NAMES,
  FLASH,
  LAST_NAMES,
  LOCALES,
  MATERIALS,
  NOTE_WORDS,
  PERMISSIONS,
  STREETS,
} from "./vocabulary.js";

interface Product {
  readonly sku: string;
  readonly name: string;
  readonly slug: string;
  readonly priceCents: number;
}

/** The shop's catalogue, shared by every session (fixed seed). */
const CATALOGUE: readonly Product[] = (() => {
  const random = seededRandom(0xc0dec);
  return Array.from({ length: 1500 }, (_, index) => {
    const [code, types, sizes] = pick(random, CATEGORIES);
    const [colour, colourCode] = pick(random, COLOURS);
    const name = `${pick(random, ADJECTIVES)} ${colour} ${pick(random, MATERIALS)} ${pick(random, types)}`;
    const id = 10_000 + index * 7;
    return {
      sku: `${code}-${id}-${colourCode}-${pick(random, sizes)}`,
      name: name[0]?.toUpperCase() + name.slice(1),
      slug: `${name.replaceAll(" ", "-")}-${id}`,
      priceCents: int(random, 9, 240) * 100 - 1,
    };
  });
})();

/** A session under construction. */
export type Json = Record<string, unknown>;

function product(random: Random): Product {
  return CATALOGUE[skewedIndex(random, CATALOGUE.length)] as Product;
}

function list(session: Json, key: string): unknown[] {
  const existing = session[key];
  if (Array.isArray(existing)) return existing;
  const created: unknown[] = [];
  session[key] = created;
  return created;
}

/** Sections a session has at most once, added first in a random order. */
export const SECTIONS: readonly ((session: Json, random: Random, now: number) => void)[] = [
  // express-session writers (connect-redis) store their cookie settings inside the session.
  (session, _random, now) => {
    session.cookie = {
      originalMaxAge: 1_209_600_000,
      expires: new Date((now + 1_209_600) * 1000).toISOString(),
      secure: true,
      httpOnly: true,
      path: "/",
      sameSite: "lax",
    };
  },
  (session, random, now) => {
    session.userId = int(random, 100_000, 9_999_999);
    session.auth = {
      method: pick(random, ["password", "google", "apple", "magic-link"]),
      at: now - int(random, 0, 86_400),
      mfa: random() < 0.3,
    };
  },
  (session, random) => {
    const [locale, timeZone, currency] = pick(random, LOCALES);
    session.prefs = {
      locale,
      timeZone,
      currency,
      theme: pick(random, ["light", "dark", "system"]),
      newsletter: random() < 0.4,
    };
  },
  (session, random, now) => {
    session.lastSeenAt = now;
    session.landing = {
      path: `/p/${product(random).slug}`,
      utmSource: pick(random, ["google", "newsletter", "instagram", "direct"]),
    };
  },
];

/** Things a session accumulates; picked at random until the session reaches its size. */
const GROWERS: readonly {
  readonly weight: number;
  readonly grow: (session: Json, random: Random, now: number) => boolean;
}[] = [
  {
    weight: 1,
    grow(session, random) {
      const flash = list(session, "flash");
      if (flash.length >= 2) return false;
      const [type, message] = pick(random, FLASH);
      flash.push({ type, message });
      return true;
    },
  },
  {
    weight: 3,
    grow(session, random, now) {
      session.cart ??= { id: `cart_${randomBytes(random, 9).toString("base64url")}`, items: [] as unknown[] };
      const items = (session.cart as { items: unknown[] }).items;
      if (items.length >= 25) return false;
      const { sku, name, priceCents } = product(random);
      items.push({
        sku,
        name,
        qty: random() < 0.8 ? 1 : int(random, 2, 4),
        unitPriceCents: priceCents,
        addedAt: now - int(random, 0, 50_000),
      });
      return true;
    },
  },
  {
    weight: 4,
    grow(session, random, now) {
      // Unbounded: the fallback that lets any size be reached.
      const { sku, slug } = product(random);
      list(session, "recentlyViewed").push({ sku, slug, viewedAt: now - int(random, 0, 600_000) });
      return true;
    },
  },
  {
    weight: 2,
    grow(session, random, now) {
      const searches = list(session, "searches");
      if (searches.length >= 15) return false;
      const [colour] = pick(random, COLOURS);
      const [, types] = pick(random, CATEGORIES);
      const filters: Json = { colour };
      if (random() < 0.5) filters.maxPriceCents = int(random, 3, 20) * 1000;
      searches.push({
        q: `${colour} ${pick(random, MATERIALS)} ${pick(random, types)}`,
        filters,
        at: now - int(random, 0, 90_000),
      });
      return true;
    },
  },
  {
    weight: 1,
    grow(session, random) {
      session.experiments ??= {};
      const experiments = session.experiments as Json;
      const name = pick(random, EXPERIMENTS);
      if (name in experiments) return false;
      experiments[name] = pick(random, ["control", "A", "B"]);
      return true;
    },
  },
  {
    weight: 1,
    grow(session, random) {
      // Staff sessions cache their role's permissions.
      const permissions = list(session, "permissions");
      if (permissions.length >= PERMISSIONS.length) return false;
      const next = PERMISSIONS[(permissions.length + int(random, 0, 2)) % PERMISSIONS.length] as string;
      if (permissions.includes(next)) return false;
      permissions.push(next);
      return true;
    },
  },
  {
    weight: 1,
    grow(session, random) {
      const addresses = list(session, "addresses");
      if (addresses.length >= 4) return false;
      const [city, country, postcode] = pick(random, CITIES);
      addresses.push({
        name: `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`,
        line1: `${int(random, 1, 240)} ${pick(random, STREETS)}`,
        city,
        postcode,
        country,
        phone: `+${int(random, 1, 49)} ${int(random, 100_000_000, 999_999_999)}`,
      });
      return true;
    },
  },
  {
    weight: 1,
    grow(session, random) {
      session.checkout ??= { step: pick(random, ["address", "delivery", "payment"]), note: "" };
      const checkout = session.checkout as { note: string };
      if (checkout.note.length > 600) return false;
      const words = Array.from({ length: int(random, 4, 12) }, () => pick(random, NOTE_WORDS));
      checkout.note += `${checkout.note ? " " : ""}${words.join(" ")}.`;
      return true;
    },
  },
];

const TOTAL_WEIGHT = GROWERS.reduce((sum, { weight }) => sum + weight, 0);

/** Adds one item to `session`: a grower drawn by weight, redrawn while the drawn one is full. */
export function growOnce(session: Json, random: Random, now: number): void {
  for (;;) {
    let roll = random() * TOTAL_WEIGHT;
    for (const grower of GROWERS) {
      roll -= grower.weight;
      if (roll >= 0) continue;
      if (grower.grow(session, random, now)) return;
      break;
    }
  }
}
