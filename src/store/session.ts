/** A JSON value, as a session's data holds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object: the shape of every session's data (a `google.protobuf.Struct` on the wire). */
export interface JsonObject {
  [key: string]: JsonValue;
}

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
  /** When the session was first saved (second precision); the start of its absolute lifetime. */
  readonly createdAt: Date;
  /** When the session expires (second precision) unless touched or saved again. */
  readonly expiresAt: Date;
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

/** The stamp of a session from its version and its times in Unix seconds (the record header's units). */
export function stampOf(key: string, version: number, createdAt: number, expiresAt: number): SessionStamp {
  return { key, version, createdAt: new Date(createdAt * 1000), expiresAt: new Date(expiresAt * 1000) };
}

/**
 * A session from its data, version and times in Unix seconds: {@link stampOf} with the data, built as one object
 * (a batch builds one per session, and spreading a stamp into a new object costs as much again).
 */
export function sessionOf<D>(
  key: string,
  data: D,
  version: number,
  createdAt: number,
  expiresAt: number,
): Session<D> {
  return { key, data, version, createdAt: new Date(createdAt * 1000), expiresAt: new Date(expiresAt * 1000) };
}
