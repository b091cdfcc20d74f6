import { Code, type SessionServiceError } from "@redisession/client";

/**
 * The error a {@link RedisessionStore} hands express-session (and so `next(err)`): the service's gRPC status as
 * `code`, its machine-readable `reason`, and an HTTP `status` that express's error handler answers with. The
 * client's {@link SessionServiceError} is the `cause`, with everything else the service said.
 */
export class SessionStoreError extends Error {
  override readonly name = "SessionStoreError";
  /** The gRPC status code of the failed call (`Code.UNAVAILABLE`, …). */
  readonly code: Code;
  /** The service's reason (`"BACKEND_UNAVAILABLE"`, `"VERSION_MISMATCH"`, …), when it sent one. */
  readonly reason: string | undefined;
  /**
   * The HTTP status for the response: 503 when the service or its Redis cannot answer now (UNAVAILABLE,
   * DEADLINE_EXCEEDED, a full Redis), 409 when the session changed under the request (another request saved it
   * first, or it was deleted meanwhile), 500 otherwise.
   */
  readonly status: number;
  /** Tells http-errors-aware handlers not to show the message to the browser. */
  readonly expose = false;

  constructor(message: string, cause: SessionServiceError) {
    super(`${message}: ${cause.message}`, { cause });
    this.code = cause.code;
    this.reason = cause.reason;
    this.status = httpStatusOf(cause);
  }
}

function httpStatusOf(error: SessionServiceError): number {
  switch (error.code) {
    case Code.UNAVAILABLE:
    case Code.DEADLINE_EXCEEDED:
      return 503;
    case Code.RESOURCE_EXHAUSTED:
      return error.reason === "BACKEND_FULL" ? 503 : 500;
    case Code.ABORTED:
    case Code.ALREADY_EXISTS:
    case Code.NOT_FOUND:
      return 409;
    default:
      return 500;
  }
}
