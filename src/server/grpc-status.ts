import type { DescMethod } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import {
  BackendError,
  BackendUnavailableError,
  CorruptRecordError,
  InvalidArgumentError,
  InvalidKeyError,
  SessionExistsError,
  SessionNotFoundError,
  type SessionStoreError,
  SessionTooLargeError,
  UnknownStoreError,
  VersionConflictError,
} from "../store/errors.js";
import {
  type CallFailure,
  DeadlineExceededError,
  InvalidRequestError,
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
  [SessionTooLargeError, status.RESOURCE_EXHAUSTED],
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
];

/** Codes whose cause an operator should see in the log. */
const LOGGED = new Set([status.INTERNAL, status.DATA_LOSS, status.UNAVAILABLE]);

/**
 * The status a failed call ends with. Unknown failures become INTERNAL with a generic message (never UNKNOWN,
 * never the cause); the cause goes to the log only.
 */
export function toCallFailure(error: unknown, method: DescMethod, logger: Logger): CallFailure {
  const match = CODES.find(([type]) => error instanceof type);
  const code = match?.[1] ?? status.INTERNAL;
  // INTERNAL means a bug or a misconfigured Redis: what went wrong is for the operator's log, not the caller.
  const details = code === status.INTERNAL ? "internal error" : (error as Error | SessionStoreError).message;
  if (LOGGED.has(code)) {
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    logger.warn(
      { rpc: method.name, code: status[code], err: cause instanceof Error ? cause : String(cause) },
      details,
    );
  }
  return { code, details };
}
