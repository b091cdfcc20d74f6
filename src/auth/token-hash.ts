import { createHash, timingSafeEqual } from "node:crypto";
import type { TokenGrant } from "./scopes.js";

/**
 * The hash a token table lists for `token`: SHA-256 of its UTF-8 bytes. The same as
 * `printf %s "$TOKEN" | sha256sum`. Unsalted and fast, which is safe only for random tokens (at least 128 bits,
 * e.g. `openssl rand -hex 32`), never for passwords people choose.
 */
export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * The grant whose hash matches `token`, if any. Every listed hash is compared, with `timingSafeEqual`, and the
 * loop does not stop at a match, so the time taken says nothing about which hashes (or how much of one) matched.
 */
export function findGrant(grants: readonly TokenGrant[], token: string): TokenGrant | undefined {
  const hash = hashToken(token);
  let found: TokenGrant | undefined;
  for (const grant of grants) {
    if (timingSafeEqual(grant.hash, hash) && found === undefined) found = grant;
  }
  return found;
}
