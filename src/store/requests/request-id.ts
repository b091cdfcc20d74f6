/**
 * Request ids (Google's AIP-155): what a CreateSession or RotateSessionKey carries so that a retry of it answers
 * what the first attempt did. An id is parsed to its 16 bytes, and the request it comes with is reduced to a
 * digest that a repeat must match.
 */

import { createHash } from "node:crypto";
import { InvalidArgumentError } from "../errors.js";
import { type JsonObject, JsonText, type JsonValue, type SessionDataInput } from "../session.js";

/** Bytes of a request id: a UUID's 128 bits. */
export const REQUEST_ID_BYTES = 16;

/** Bytes of a request digest: the first half of a SHA-256. */
export const REQUEST_DIGEST_BYTES = 16;

/** A UUID as RFC 9562 spells it, in lowercase only, so that one id has one spelling (as session keys do). */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * The 16 bytes of a request id: a UUID in lowercase hyphenated form, any version, but not the nil UUID (a
 * placeholder many clients would share, as Google's APIs also refuse it).
 *
 * @throws {InvalidArgumentError} (argument `requestId`) for anything else.
 */
export function parseRequestId(requestId: string): Buffer {
  if (!UUID_SHAPE.test(requestId) || requestId === NIL_UUID) {
    throw new InvalidArgumentError(
      "requestId",
      "request_id must be a UUID in lowercase hyphenated form (e.g. a random UUID v4), not the nil UUID",
    );
  }
  return Buffer.from(requestId.replaceAll("-", ""), "hex");
}

/** What a request id was first used for; a repeat for another operation is another request. */
export const RequestKind = { create: 1, rotate: 2 } as const;

/** A {@link RequestKind} value. */
export type RequestKind = (typeof RequestKind)[keyof typeof RequestKind];

/**
 * The digest of a CreateSession: its idle TTL as asked (0 for none: the store's default then applies, which is
 * not the same as naming it) and its data. A Struct is taken by content, its keys in sorted order, because a
 * runtime may serialize a map's entries in any order (Go's does, differently each time): the same request
 * re-sent must match. JSON text is taken as written, byte for byte, since that is what would be stored. The
 * store is not in it: ids are remembered per store, under its prefix.
 */
export function createDigest(ttl: number | undefined, data: SessionDataInput): Buffer {
  const json = data instanceof JsonText ? data.text : canonicalJson(data);
  return digest(RequestKind.create, `${ttl ?? 0}\n${json}`);
}

/**
 * The digest of a RotateSessionKey: the key it rotates. How the answer is to carry the data (`data_format`) is
 * not in it: a repeat may ask for another form of the same result.
 */
export function rotateDigest(key: Buffer): Buffer {
  return digest(RequestKind.rotate, key.toString("hex"));
}

function digest(kind: RequestKind, request: string): Buffer {
  return createHash("sha256")
    .update(`redisession request ${kind}\n${request}`)
    .digest()
    .subarray(0, REQUEST_DIGEST_BYTES);
}

/**
 * JSON with every object's keys sorted (by UTF-16 code units, as `Array.prototype.sort` compares). Called only on
 * data the payload encoder has accepted, so its depth is bounded by the store's `maxDataDepth`.
 */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const object: JsonObject = value;
  const members = Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as JsonValue)}`);
  return `{${members.join(",")}}`;
}
