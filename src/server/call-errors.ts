import type { status } from "@grpc/grpc-js";

/** The status a failed call ends with, as grpc-js takes it. */
export interface CallFailure {
  readonly code: status;
  readonly details: string;
}

/** The call's deadline passed (or the client cancelled, or the server is stopping) before it finished. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";

  constructor(message = "deadline exceeded") {
    super(message);
  }
}

/** A request field is invalid in a way only the gRPC layer can see (a Duration with nanos, a misused field). */
export class InvalidRequestError extends Error {
  override readonly name = "InvalidRequestError";
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
