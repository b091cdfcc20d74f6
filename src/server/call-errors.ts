import type { Metadata, status } from "@grpc/grpc-js";
import { REQUEST_FIELD } from "./request-fields.js";

/** The status a failed call ends with, as grpc-js takes it. */
export interface CallFailure {
  readonly code: status;
  readonly details: string;
  /** The trailers: `grpc-status-details-bin`, the google.rpc.Status of the failure (see `status-details.ts`). */
  readonly metadata: Metadata;
}

/** The call's deadline passed (or the client cancelled, or the server is stopping) before it finished. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";

  constructor(message = "deadline exceeded") {
    super(message);
  }
}

/**
 * A request field is invalid in a way only the gRPC layer can see (a misused field, an enum value it does not
 * know). Its message is written to be shown to the caller, and never quotes the field's value.
 */
export class InvalidRequestError extends Error {
  override readonly name: string = "InvalidRequestError";

  constructor(
    /** The field's path in the request, in proto field names (AIP-161): `expected_version`, `condition`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A BatchGetSessions asks for more keys than one call may (`MAX_BATCH_KEYS`). */
export class TooManyKeysError extends InvalidRequestError {
  override readonly name = "TooManyKeysError";

  /** @param limit - the most keys one call may ask for. */
  constructor(readonly limit: number) {
    super(REQUEST_FIELD.keys, `at most ${limit} keys per call`);
  }
}

/** A health check names a service this server does not serve. */
export class UnknownServiceError extends Error {
  override readonly name = "UnknownServiceError";
}

/**
 * A response message is larger than the server sends (`server.maxMessageBytes`): RESOURCE_EXHAUSTED, as grpc-js
 * would answer it, but through the failure path that counts and logs it.
 */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";

  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`response of ${size} bytes exceeds the server's limit of ${limit} bytes per message`);
  }
}

/**
 * A request's session data whose JSON is certainly larger than its store's `maxSessionBytes`, refused before it was
 * decoded (see `DeferredStruct.sizeOver`): its exact size is not known, only the least it can be. Nothing was read
 * or written.
 */
export class DataTooLargeError extends Error {
  override readonly name = "DataTooLargeError";

  constructor(
    /** The least number of bytes the data's JSON can make: more than {@link limit}. */
    readonly size: number,
    /** The store's `maxSessionBytes`. */
    readonly limit: number,
    /** The field that holds the data, in proto field names (AIP-161). */
    readonly field: string,
  ) {
    super(`session data is at least ${size} bytes, over the store's limit of ${limit} bytes`);
  }
}
