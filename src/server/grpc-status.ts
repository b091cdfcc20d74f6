import type { DescMethod } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { PermissionDeniedError, UnauthenticatedError } from "../auth/auth-errors.js";
import { MalformedRequestError, RequestTooDeepError } from "../rpc/undecodable-request.js";
import {
  BackendError,
  BackendFullError,
  BackendUnavailableError,
  CorruptRecordError,
  InvalidArgumentError,
  InvalidKeyError,
  SessionExistsError,
  SessionNotFoundError,
  type SessionStoreError,
  SessionTooDeepError,
  SessionTooLargeError,
  UnknownStoreError,
  VersionConflictError,
} from "../store/errors.js";
import {
  type CallFailure,
  DeadlineExceededError,
  InvalidRequestError,
  ResponseTooLargeError,
  UnknownServiceError,
} from "./call-errors.js";
import type { Logger } from "./logger.js";

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The one table from failures to gRPC status codes (gRPC's statuscodes.md is the reference). Messages of these
 * errors are written to be shown to callers: they never contain a session key, data or an internal cause.
 */
const CODES: ReadonlyArray<readonly [ErrorClass, status]> = [
  [InvalidKeyError, status.INVALID_ARGUMENT],
  [InvalidArgumentError, status.INVALID_ARGUMENT],
  [InvalidRequestError, status.INVALID_ARGUMENT],
  [UnknownStoreError, status.INVALID_ARGUMENT],
  [SessionTooDeepError, status.INVALID_ARGUMENT],
  // Too deep for the request decoder itself: the caller's data, as with a store's maxDataDepth.
  [RequestTooDeepError, status.INVALID_ARGUMENT],
  [SessionTooLargeError, status.RESOURCE_EXHAUSTED],
  // Redis is full: the operator's to fix, not a bug (INTERNAL) nor a passing outage (UNAVAILABLE, retried).
  [BackendFullError, status.RESOURCE_EXHAUSTED],
  [ResponseTooLargeError, status.RESOURCE_EXHAUSTED],
  [SessionExistsError, status.ALREADY_EXISTS],
  [SessionNotFoundError, status.NOT_FOUND],
  [UnknownServiceError, status.NOT_FOUND],
  // A lost compare-and-set: the client should re-read and retry the whole read-modify-write (ABORTED, not
  // FAILED_PRECONDITION, per statuscodes.md).
  [VersionConflictError, status.ABORTED],
  [CorruptRecordError, status.DATA_LOSS],
  [BackendUnavailableError, status.UNAVAILABLE],
  [DeadlineExceededError, status.DEADLINE_EXCEEDED],
  [BackendError, status.INTERNAL],
  // Request bytes that cannot be parsed: INTERNAL by gRPC's table (and grpc-js'), with a message that says so.
  [MalformedRequestError, status.INTERNAL],
  // Refused by the auth interceptor before any handler ran: no (valid) token, or a token without the scope or
  // store the call needs.
  [UnauthenticatedError, status.UNAUTHENTICATED],
  [PermissionDeniedError, status.PERMISSION_DENIED],
];

/** Codes whose cause an operator should see in the log. */
const LOGGED = new Set([status.INTERNAL, status.DATA_LOSS, status.UNAVAILABLE]);

/**
 * Refusals, logged with their reason and method only: the reason names what was missing, never the token, and
 * a stack trace would say nothing more.
 */
const REFUSED = new Set([status.UNAUTHENTICATED, status.PERMISSION_DENIED]);

/**
 * The status a failed call ends with. Unknown failures become INTERNAL with a generic message (never UNKNOWN,
 * never the cause); the cause goes to the log only.
 *
 * @param method - the method, for the log: its descriptor, or (for calls refused before a handler) its path.
 */
export function toCallFailure(
  error: unknown,
  method: Pick<DescMethod, "name"> | string,
  logger: Logger,
): CallFailure {
  const rpc = typeof method === "string" ? method : method.name;
  const match = CODES.find(([type]) => error instanceof type);
  const code = match?.[1] ?? status.INTERNAL;
  // INTERNAL means a bug or a misconfigured Redis: what went wrong is for the operator's log, not the caller.
  // Undecodable request bytes are the exception: the caller is told it was its request (the cause is logged).
  const details =
    code === status.INTERNAL && !(error instanceof MalformedRequestError)
      ? "internal error"
      : (error as Error | SessionStoreError).message;
  if (REFUSED.has(code)) {
    logger.warn({ rpc, code: status[code], reason: details }, "call refused");
  } else if (LOGGED.has(code)) {
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    logger.warn({ rpc, code: status[code], err: cause instanceof Error ? cause : String(cause) }, details);
  }
  return { code, details };
}
