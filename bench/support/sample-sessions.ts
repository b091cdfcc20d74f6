import type { JsonObject } from "@bufbuild/protobuf";
import { session as corpusSession } from "../codecs/corpus.js";

/**
 * The sessions the micro-benchmarks time, by name: one written by hand (what a web app keeps: a user id, a CSRF
 * token, a flash message, a cart, preferences), and one of each of the codec corpus' ~200 B and ~1 KB tiers.
 */
export const SAMPLE_SESSIONS: readonly (readonly [string, JsonObject])[] = [
  [
    "hand-written session",
    {
      uid: "u_1a2b3c4d",
      csrf: "Zx8_kq3LmP0aB7cD9eF1gH2iJ4kL6mN8",
      flash: { type: "ok", text: "Address saved." },
      cart: [
        { sku: "BK-1042", qty: 1 },
        { sku: "TS-2210", qty: 2 },
      ],
      prefs: { theme: "dark", lang: "en-GB" },
    },
  ],
  ["corpus session, ~200 B tier", corpusSession(200, 1) as JsonObject],
  ["corpus session, ~1 KB tier", corpusSession(1024, 1) as JsonObject],
];
