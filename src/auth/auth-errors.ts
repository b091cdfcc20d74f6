import { ANY_STORE, describeNeed, EVERY_STORE, type Need, type Scope } from "./scopes.js";

/**
 * Why a call was refused before it reached its handler. Their messages are written to be shown to callers and
 * logged: they name what is missing (a token, a scope, a store), never the token itself.
 */

/** The call carries no bearer token, a malformed one, or one that is not listed: UNAUTHENTICATED. */
export class UnauthenticatedError extends Error {
  override readonly name = "UnauthenticatedError";
}

/** The token is listed but does not grant the call's scope on the call's store: PERMISSION_DENIED. */
export class PermissionDeniedError extends Error {
  override readonly name = "PermissionDeniedError";
  /** The scope the call needs. */
  readonly scope: Scope;
  /** The store the call needs it on: a name, `*` for every store, or undefined when any store would do. */
  readonly store: string | undefined;

  /** @param need - what the call needs and the token does not grant. */
  constructor(need: Need) {
    super(`the token does not grant ${describeNeed(need)}`);
    this.scope = need.scope;
    this.store = need.store === ANY_STORE ? undefined : need.store === EVERY_STORE ? "*" : need.store;
  }
}
