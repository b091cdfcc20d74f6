import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { decodeErrorDetails, type ErrorReasonName, type FieldViolation } from "./error-details.js";

/**
 * The one error a client call rejects with. Callers branch on `code` (`switch (error.code)` over the grpc-js
 * `status` enum, re-exported as `Code`) and, to tell failures of one code apart, on `reason`; never on message
 * text: the service's status codes and reasons are its contract (see `proto/redisession/v1/session_service.proto`
 * and `error_reason.proto`).
 *
 * ```ts
 * if (error.reason === "VERSION_MISMATCH") retryFrom(Number(error.errorMetadata.current_version));
 * ```
 *
 * Failures made on the client side get a code too, so no caller needs a second `catch` branch, but no `reason`
 * (the reasons are the service's word; these never reached it, or never heard back):
 * - an aborted `signal` or a call after `close()`: `CANCELLED`;
 * - a passed deadline: `DEADLINE_EXCEEDED` (from grpc-js; the server's own DEADLINE_EXCEEDED has a reason);
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
   * Why the service failed the call, for programs: an {@link ErrorReasonName} such as `"MALFORMED_KEY"` (a newer
   * server may send reasons this client does not list). Undefined when the service sent none: failures made on the
   * client side, or a server or proxy that sends no `google.rpc.ErrorInfo` of the `redisession` domain.
   */
  readonly reason: string | undefined;
  /**
   * The facts of the failure, from the `ErrorInfo`: e.g. `limit_bytes` for `DATA_TOO_LARGE`, `current_version` for
   * `VERSION_MISMATCH` (`error_reason.proto` lists each reason's keys). Empty without a reason.
   */
  readonly errorMetadata: Readonly<Record<string, string>>;
  /**
   * The request fields the service refused and why, from the `google.rpc.BadRequest` (e.g. `{ field: "keys[3]",
   * description: "…" }`, field paths in proto field names). Empty when no field is to blame.
   */
  readonly fieldViolations: readonly FieldViolation[];

  /**
   * @param code - the gRPC status code.
   * @param details - the status message.
   * @param options - the trailers (`metadata`, whose `grpc-status-details-bin` gives `reason`, `errorMetadata`
   *   and `fieldViolations`) and the underlying error (`cause`), both optional.
   */
  constructor(code: status, details: string, options: { metadata?: Metadata; cause?: unknown } = {}) {
    // The message names the code so a log line or an unhandled rejection is readable without the fields.
    super(`${status[code] ?? `code ${code}`}: ${details}`, { cause: options.cause });
    this.code = code;
    this.details = details;
    this.metadata = options.metadata;
    const decoded = decodeErrorDetails(code, options.metadata);
    this.reason = decoded.reason;
    this.errorMetadata = decoded.errorMetadata;
    this.fieldViolations = decoded.fieldViolations;
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
