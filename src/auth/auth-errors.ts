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
}
