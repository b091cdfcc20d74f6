/**
 * The store's typed failures, one class per way a repository call can fail. Callers branch on the class
 * (`instanceof`), never on message text; the gRPC layer maps each class to one status code in one place.
 */

/**
 * A failure of a {@link SessionRepository} call. Its message is safe to show a caller: it never contains a raw
 * session key or stored data. The underlying failure, when there is one, is the `cause`.
 *
 * A missing or expired session is not an error: reads answer `null` for it.
 */
export abstract class SessionStoreError extends Error {
  /** A stable, machine-readable name for logs and metrics. */
  abstract readonly code: string;
}

/** A request names a store that is not configured. Nothing was sent to Redis. */
export class UnknownStoreError extends SessionStoreError {
  override readonly name = "UnknownStoreError";
  readonly code = "unknown_store";

  /** @param store - the name asked for (an empty name already resolved to the default store's). */
  constructor(readonly store: string) {
    // The name is not in the message: it comes from the caller and may be anything, of any length.
    super("unknown store");
  }
}

/** A key from outside is not 32 lowercase hexadecimal characters. Nothing was sent to Redis. */
export class InvalidKeyError extends SessionStoreError {
  override readonly name = "InvalidKeyError";
  readonly code = "invalid_key";

  /**
   * @param position - for a key of a list (`getMany`), its index in the list the caller passed (its first
   *   occurrence); undefined for a single key.
   */
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

/** The argument of a repository call an {@link InvalidArgumentError} is about. */
export type StoreArgument = "ttl" | "expectedVersion" | "data" | "dataJson" | "requestId";

/** An argument other than the key is out of range (a TTL, a version, a non-object session). Nothing was sent. */
export class InvalidArgumentError extends SessionStoreError {
  override readonly name: string = "InvalidArgumentError";
  readonly code = "invalid_argument";

  constructor(
    /** Which argument is wrong. */
    readonly argument: StoreArgument,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A TTL is not a whole number of seconds from {@link min} to the store's `maxTtl`. Nothing was sent to Redis. */
export class TtlOutOfRangeError extends InvalidArgumentError {
  override readonly name = "TtlOutOfRangeError";
  /** The shortest TTL accepted, in seconds. */
  readonly min = 1;

  /** @param max - the longest TTL accepted, in seconds: the store's `maxTtl`. */
  constructor(readonly max: number) {
    super("ttl", `ttl must be a whole number of seconds from 1 to ${max}`);
  }
}

/**
 * A request id (AIP-155) came back with a different request than the one the store remembers it for (another
 * operation, key, data or TTL). Nothing was written. Reusing an id for a new request is the caller's bug: its
 * first request would otherwise be answered in place of the new one.
 */
export class RequestIdReusedError extends InvalidArgumentError {
  override readonly name = "RequestIdReusedError";

  constructor() {
    super("requestId", "request_id was already used for a different request");
  }
}

/** The session's JSON exceeds the store's `maxSessionBytes`. Nothing was sent to Redis. */
export class SessionTooLargeError extends SessionStoreError {
  override readonly name = "SessionTooLargeError";
  readonly code = "too_large";

  constructor(
    readonly size: number,
    readonly limit: number,
    /** Which form of the data was too large. */
    readonly argument: "data" | "dataJson" = "data",
  ) {
    super(`session data is ${size} bytes, over the store's limit of ${limit} bytes`);
  }
}

/**
 * The session's data nests objects and lists deeper than the store's `maxDataDepth` (the data object itself is
 * depth 1). Nothing was sent to Redis.
 */
export class SessionTooDeepError extends SessionStoreError {
  override readonly name = "SessionTooDeepError";
  readonly code = "too_deep";

  constructor(
    readonly limit: number,
    /** Which form of the data was too deep. */
    readonly argument: "data" | "dataJson" = "data",
  ) {
    super(`session data nests deeper than the store's limit of ${limit} levels of objects and lists`);
  }
}

/** A must-create save found a live session under the key; the stored session is untouched. */
export class SessionExistsError extends SessionStoreError {
  override readonly name = "SessionExistsError";
  readonly code = "already_exists";
}

/** A must-exist save, touch or rotation found no live session under the key; nothing was written. */
export class SessionNotFoundError extends SessionStoreError {
  override readonly name = "SessionNotFoundError";
  readonly code = "not_found";
}

/**
 * An expected-version save found another version (a concurrent writer won), or a rotation kept racing with
 * writers (the subclass {@link ConcurrentModificationError}). Nothing was written; re-read and retry.
 */
export class VersionConflictError extends SessionStoreError {
  override readonly name: string = "VersionConflictError";
  readonly code = "conflict";

  constructor(
    message: string,
    /** The version now stored, when known. */
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

/**
 * A rotation kept racing with writers: each time it was about to move the session, the session had changed.
 * Nothing was moved; retry.
 */
export class ConcurrentModificationError extends VersionConflictError {
  override readonly name = "ConcurrentModificationError";

  constructor() {
    super("the session kept changing during rotation");
  }
}

/**
 * A stored value could not be decoded (bad header, unknown codec, corrupt or oversized payload, not a JSON
 * object). The record is left in place for inspection; every other session keeps working.
 */
export class CorruptRecordError extends SessionStoreError {
  override readonly name = "CorruptRecordError";
  readonly code = "corrupt_record";
}

/** Redis could not be reached or did not answer; the operation may or may not have been applied. */
export class BackendUnavailableError extends SessionStoreError {
  override readonly name = "BackendUnavailableError";
  readonly code = "unavailable";
}

/**
 * Redis refused a write because it is out of memory (`maxmemory` reached under `noeviction`, or nothing left to
 * evict). Nothing was written; reads keep working. Not a bug in the service: the operator must give Redis memory.
 */
export class BackendFullError extends SessionStoreError {
  override readonly name = "BackendFullError";
  readonly code = "backend_full";
}

/** Redis answered with an error that is not about availability (a bug, a misconfigured or read-only server). */
export class BackendError extends SessionStoreError {
  override readonly name = "BackendError";
  readonly code = "backend_error";
}
