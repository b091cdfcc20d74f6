/**
 * What a session is to the store's callers: its JSON data, its version and times, and the conditions a save may
 * carry. Plain types, free of Redis, shared by the repository, the server and the tests.
 */

/** A JSON value, as a session's data holds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object: the shape of every session's data (a `google.protobuf.Struct` on the wire). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Session data given as the JSON text of an object, stored as written: integers beyond 2^53 keep every digit,
 * which a {@link JsonObject} (whose numbers are doubles) cannot promise. The store checks it is an object within
 * its limits.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Session data as a save takes it: a JSON object, or the JSON text of one. */
export type SessionDataInput = JsonObject | JsonText;

/**
 * A live session as read from or written to a store. Its data is a {@link JsonObject} unless a read was given
 * another {@link SessionDataReader} (see `session-payload.ts`), whose result type `D` is.
 */
export interface Session<D = JsonObject> {
  /** 32 lowercase hexadecimal characters (128 random bits). */
  readonly key: string;
  /** The session's data. A new session's data is `{}`. */
  readonly data: D;
  /**
   * Counts the writes of `data`: 1 when created, +1 on every save. Touching or rotating does not change it, so a
   * touch never makes a concurrent expected-version save fail.
   */
  readonly version: number;
  /**
   * When the session was first saved (second precision): the start of its absolute lifetime. Stores record it
   * only when they have a `maxLifetime` (it costs 4 bytes a session); `undefined` where it is not recorded.
   */
  readonly createdAt: Date | undefined;
  /** When the session expires (second precision) unless touched or saved again. */
  readonly expiresAt: Date;
  /**
   * The session's idle TTL in seconds: how far a touch or save that names no TTL moves its expiry. The TTL it was
   * last given, or its store's `defaultTtl` if it was never given one; never more than the store's `maxTtl`.
   */
  readonly idleTtl: number;
}

/** The timestamps and version of a session, without its data (what a touch answers). */
export type SessionStamp = Omit<Session, "data">;

/**
 * When a save may write.
 * - `upsert`: always; a new session if none is live.
 * - `mustCreate`: only if no session is stored under the key; never overwrites.
 * - `mustExist`: only if a live session is stored; never resurrects one deleted or expired meanwhile.
 * - `version`: only if a live session with exactly `expected` as its version is stored (compare-and-set).
 */
export type SaveCondition =
  | { readonly kind: "upsert" }
  | { readonly kind: "mustCreate" }
  | { readonly kind: "mustExist" }
  | { readonly kind: "version"; readonly expected: number };

/** A session's version and times in Unix seconds (`createdAt` 0 or undefined when not recorded). */
export interface StampFields {
  readonly version: number;
  readonly createdAt: number | undefined;
  readonly expiresAt: number;
}

function dateOf(seconds: number | undefined): Date | undefined {
  return seconds === undefined || seconds === 0 ? undefined : new Date(seconds * 1000);
}

/** The stamp of a session from its fields in the record header's units and its idle TTL in seconds. */
export function stampOf(key: string, fields: StampFields, idleTtl: number): SessionStamp {
  return {
    key,
    version: fields.version,
    createdAt: dateOf(fields.createdAt),
    expiresAt: new Date(fields.expiresAt * 1000),
    idleTtl,
  };
}

/**
 * A session from its data, fields and idle TTL: {@link stampOf} with the data, built as one object (a batch builds
 * one per session, and spreading a stamp into a new object costs as much again).
 */
export function sessionOf<D>(key: string, data: D, fields: StampFields, idleTtl: number): Session<D> {
  return {
    key,
    data,
    version: fields.version,
    createdAt: dateOf(fields.createdAt),
    expiresAt: new Date(fields.expiresAt * 1000),
    idleTtl,
  };
}
