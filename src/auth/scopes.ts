/**
 * What a token may do. Scopes and stores are granted together: a token holds its scopes on each of its stores.
 *
 * - `read`: GetSession (without `touch`) and BatchGetSessions.
 * - `write`: every SessionService call, reads included: CreateSession, SaveSession, TouchSession, DeleteSession,
 *   RotateSessionKey, and GetSession with `touch` (it moves the expiry, as TouchSession does). `write` implies
 *   `read` because RotateSessionKey answers with the session's data anyway: a write-only token could not be kept
 *   from reading.
 * - `admin`: SessionAdminService, and server reflection when `server.reflection` is `"admin"`. It implies neither
 *   `read` nor `write`: operators' tools need not see session data.
 */
export const scopes = ["read", "write", "admin"] as const;

/** One of {@link scopes}. */
export type Scope = (typeof scopes)[number];

/** The stores a grant covers: named ones, or every store (`*` in a token table), including stores added later. */
export type GrantedStores = ReadonlySet<string> | "*";

/** One listed token: the SHA-256 hash of its bytes and what it grants. */
export interface TokenGrant {
  /** SHA-256 of the token's UTF-8 bytes: 32 bytes. The token itself is never kept. */
  readonly hash: Buffer;
  readonly scopes: ReadonlySet<Scope>;
  readonly stores: GrantedStores;
}

/** The request names no store, but the call concerns every one of them (ListStores describes them all). */
export const EVERY_STORE: unique symbol = Symbol("every store");

/** The call concerns no store (reflection): a grant of the scope on any store will do. */
export const ANY_STORE: unique symbol = Symbol("any store");

/** What one call needs: a scope, on a store (empty names already resolved to `default`) or on all or any. */
export interface Need {
  readonly scope: Scope;
  readonly store: string | typeof EVERY_STORE | typeof ANY_STORE;
}

/** Whether `grant` covers `need`. */
export function allows(grant: TokenGrant, need: Need): boolean {
  const scoped = grant.scopes.has(need.scope) || (need.scope === "read" && grant.scopes.has("write"));
  if (!scoped) return false;
  if (grant.stores === "*" || need.store === ANY_STORE) return true;
  if (need.store === EVERY_STORE) return false;
  return grant.stores.has(need.store);
}

/** The need as a caller reads it in a PERMISSION_DENIED message. */
export function describeNeed(need: Need): string {
  if (need.store === ANY_STORE) return `"${need.scope}"`;
  if (need.store === EVERY_STORE) return `"${need.scope}" on every store (*)`;
  return `"${need.scope}" on store "${need.store}"`;
}
