/**
 * Words the session generator draws from. Real sessions repeat a shop's vocabulary (product names, SKUs, flash
 * texts, locales) across users but rarely within one session, so these lists are shared by the whole corpus.
 */

export const COLOURS = [
  ["black", "BLK"],
  ["navy", "NVY"],
  ["olive", "OLV"],
  ["sand", "SND"],
  ["burgundy", "BRG"],
  ["charcoal", "CHR"],
  ["ivory", "IVR"],
  ["rust", "RST"],
  ["sage", "SGE"],
  ["cobalt", "CBT"],
] as const;

export const MATERIALS = [
  "merino",
  "cotton",
  "linen",
  "suede",
  "leather",
  "cashmere",
  "denim",
  "recycled nylon",
];

export const ADJECTIVES = [
  "relaxed",
  "slim",
  "classic",
  "oversized",
  "cropped",
  "lightweight",
  "padded",
  "ribbed",
];

/** Category code, product types, sizes. */
export const CATEGORIES = [
  ["TS", ["crew t-shirt", "v-neck tee", "pocket tee", "long-sleeve top"], ["XS", "S", "M", "L", "XL"]],
  ["KN", ["crew jumper", "cardigan", "roll-neck sweater", "knitted vest"], ["XS", "S", "M", "L", "XL"]],
  ["TR", ["chino", "wide-leg trouser", "cargo pant", "jogger"], ["28", "30", "32", "34", "36"]],
  ["SH", ["chelsea boot", "runner", "loafer", "derby shoe"], ["39", "40", "41", "42", "43", "44"]],
  ["AC", ["beanie", "tote bag", "belt", "scarf", "cap"], ["OS"]],
] as const;

export const LOCALES = [
  ["en-GB", "Europe/London", "GBP"],
  ["en-US", "America/New_York", "USD"],
  ["de-DE", "Europe/Berlin", "EUR"],
  ["fr-FR", "Europe/Paris", "EUR"],
  ["nl-NL", "Europe/Amsterdam", "EUR"],
  ["sv-SE", "Europe/Stockholm", "SEK"],
  ["en-AU", "Australia/Sydney", "AUD"],
] as const;

export const FLASH = [
  ["success", "Your address has been saved."],
  ["success", "Item added to your bag."],
  ["info", "Free delivery on orders over 50."],
  ["warning", "Some items in your bag are low in stock."],
  ["error", "That discount code has expired."],
  ["info", "You have been signed out of your other devices."],
  ["success", "Thanks! We will email you when it is back in stock."],
] as const;

export const PERMISSIONS = [
  "orders:read",
  "orders:write",
  "orders:refund",
  "customers:read",
  "customers:write",
  "catalog:read",
  "catalog:write",
  "reports:read",
  "inventory:read",
  "inventory:adjust",
  "promotions:write",
  "settings:read",
];

export const EXPERIMENTS = [
  "checkout_one_page",
  "pdp_gallery_v2",
  "free_shipping_banner",
  "search_ranker_2024",
  "size_guide_modal",
  "reco_carousel",
  "express_pay_first",
  "wishlist_nudge",
];

export const CITIES = [
  ["London", "GB", "SE1 7PB"],
  ["Manchester", "GB", "M1 2AB"],
  ["Berlin", "DE", "10115"],
  ["Paris", "FR", "75011"],
  ["Amsterdam", "NL", "1017 AB"],
  ["Brooklyn", "US", "11201"],
  ["Stockholm", "SE", "114 55"],
] as const;

export const STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Kingsway"];

export const FIRST_NAMES = ["Amelia", "Noah", "Sofia", "Lukas", "Chloé", "Daan", "Maja", "Oliver", "Aisha"];

export const LAST_NAMES = ["Smith", "Müller", "Dubois", "de Vries", "Andersson", "Okafor", "Patel", "Nguyen"];

/** Words for gift notes and delivery instructions (free text compresses less than structure). */
export const NOTE_WORDS = [
  "please",
  "leave",
  "the",
  "parcel",
  "with",
  "neighbour",
  "at",
  "number",
  "door",
  "code",
  "is",
  "ring",
  "twice",
  "happy",
  "birthday",
  "love",
  "from",
  "all",
  "of",
  "us",
  "back",
  "gate",
  "side",
  "entrance",
  "after",
  "six",
];
