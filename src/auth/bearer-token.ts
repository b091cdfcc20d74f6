import type { Metadata } from "@grpc/grpc-js";
import { UnauthenticatedError } from "./auth-errors.js";

/** `Bearer <token>` (RFC 6750), the scheme in any case; the token is any run of visible ASCII. */
const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

/**
 * The bearer token of a call's `authorization` metadata.
 *
 * @throws UnauthenticatedError when there is none, more than one, or it is not `Bearer <token>`. The message never
 *   includes what was sent.
 */
export function bearerToken(metadata: Metadata): string {
  const values = metadata.get("authorization");
  if (values.length === 0) throw new UnauthenticatedError("missing bearer token (authorization metadata)");
  // Two headers could be read differently by a proxy in front and by this server; refuse rather than pick one.
  if (values.length > 1) throw new UnauthenticatedError("more than one authorization header");
  const match = typeof values[0] === "string" ? BEARER.exec(values[0]) : null;
  if (match?.[1] === undefined) {
    throw new UnauthenticatedError('authorization must be "Bearer <token>"');
  }
  return match[1];
}
