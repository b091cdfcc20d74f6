import { Metadata, type ServiceError, status } from "@grpc/grpc-js";

/**
 * The one error a client call rejects with. Callers branch on `code` (`switch (error.code)` over the grpc-js
 * `status` enum, re-exported as `Code`), never on message text: the service's status codes are its contract
 * (see `proto/redisession/v1/session_service.proto`).
 *
 * Failures made on the client side get a code too, so no caller needs a second `catch` branch:
 * - an aborted `signal` or a call after `close()`: `CANCELLED`;
 * - a passed deadline: `DEADLINE_EXCEEDED` (from grpc-js);
 * - no connection to the server: `UNAVAILABLE` (from grpc-js);
 * - a request or call option that cannot be used (bad metadata key, negative timeout): `INVALID_ARGUMENT`, and
 *   nothing was sent;
 * - anything else unexpected in the client: `INTERNAL`.
 */
export class SessionServiceError extends Error {
  override readonly name = "SessionServiceError";
  /** The gRPC status code. */
  readonly code: status;
  /** The status message, as the server (or grpc-js, for client-side failures) wrote it. */
  readonly details: string;
  /** The response trailers, when the status came over the wire; they may carry error details from the server. */
  readonly metadata?: Metadata | undefined;

  /**
   * @param code - the gRPC status code.
   * @param details - the status message.
   * @param options - the trailers (`metadata`) and the underlying error (`cause`), both optional.
   */
  constructor(code: status, details: string, options: { metadata?: Metadata; cause?: unknown } = {}) {
    // The message names the code so a log line or an unhandled rejection is readable without the fields.
    super(`${status[code] ?? `code ${code}`}: ${details}`, { cause: options.cause });
    this.code = code;
    this.details = details;
    this.metadata = options.metadata;
  }
}

/** Whether `value` is a {@link SessionServiceError}; the same as `instanceof`, usable as a callback. */
export function isSessionServiceError(value: unknown): value is SessionServiceError {
  return value instanceof SessionServiceError;
}

/** Whether `value` has the shape of the grpc-js `ServiceError` a call's callback receives. */
function isGrpcServiceError(value: unknown): value is ServiceError {
  return (
    value instanceof Error &&
    typeof (value as Partial<ServiceError>).code === "number" &&
    typeof (value as Partial<ServiceError>).details === "string"
  );
}

/**
 * The {@link SessionServiceError} for any failure of a call. A grpc-js `ServiceError` keeps its code, details and
 * trailers (and is kept as the `cause`, whose stack says where the call was made); any other error gets
 * `fallbackCode` and its message.
 *
 * @param error - what the call failed with.
 * @param fallbackCode - the code of a failure that is not a gRPC status. Default: `INTERNAL`.
 */
export function toSessionServiceError(
  error: unknown,
  fallbackCode: status = status.INTERNAL,
): SessionServiceError {
  if (error instanceof SessionServiceError) {
    return error;
  }
  if (isGrpcServiceError(error)) {
    const metadata = error.metadata instanceof Metadata ? error.metadata : undefined;
    return new SessionServiceError(error.code, error.details, { metadata, cause: error });
  }
  const details = error instanceof Error ? error.message : String(error);
  return new SessionServiceError(fallbackCode, details, { cause: error });
}
