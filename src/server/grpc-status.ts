import type { DescMethod } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { ErrorReason } from "../../gen/redisession/v1/error_reason_pb.js";
import { PermissionDeniedError, UnauthenticatedError } from "../auth/auth-errors.js";
import { MalformedRequestError, RequestTooDeepError } from "../rpc/undecodable-request.js";
import {
  BackendFullError,
  BackendUnavailableError,
  ConcurrentModificationError,
  CorruptRecordError,
  InvalidArgumentError,
  InvalidKeyError,
  RequestIdReusedError,
  SessionExistsError,
  SessionNotFoundError,
  type SessionStoreError,
  SessionTooDeepError,
  SessionTooLargeError,
  type StoreArgument,
  TtlOutOfRangeError,
  UnknownStoreError,
  VersionConflictError,
} from "../store/errors.js";
import {
  type CallFailure,
  DataTooLargeError,
  DeadlineExceededError,
  InvalidRequestError,
  ResponseTooLargeError,
  TooManyKeysError,
  UnknownServiceError,
} from "./call-errors.js";
import type { Logger } from "./logger.js";
import { elementPath, REQUEST_FIELD } from "./request-fields.js";
import { type StatusDetails, statusTrailers } from "./status-details.js";

/** What a failure is, for the caller: its status code and its machine-readable details. */
interface Classification extends StatusDetails {
  readonly code: status;
}

type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

/** How one class of failure is answered. */
interface Rule {
  readonly type: ErrorClass;
  readonly classify: (error: never) => Classification;
}

function rule<E extends Error>(type: ErrorClass<E>, classify: (error: E) => Classification): Rule {
  return { type, classify };
}

/** The request field each store argument comes from. */
const ARGUMENT_FIELD: Readonly<Record<StoreArgument, string>> = {
  ttl: REQUEST_FIELD.idleTtl,
  expectedVersion: REQUEST_FIELD.expectedVersion,
  data: REQUEST_FIELD.data,
  dataJson: REQUEST_FIELD.dataJson,
  requestId: REQUEST_FIELD.requestId,
};

/**
 * The longest store name sent back in metadata: no configured store's name is longer (config-schema.ts), and
 * the name comes from the caller, who could send megabytes of it into the trailers.
 */
const MAX_SHOWN_STORE = 64;

/** A store name from a request, as metadata may echo it: cut after {@link MAX_SHOWN_STORE} code units, marked. */
function shownStore(store: string): string {
  if (store.length <= MAX_SHOWN_STORE) return store;
  // Never half of a surrogate pair: the cut must stay valid UTF-16, hence valid UTF-8 on the wire.
  const high = /[\uD800-\uDBFF]/.test(store.charAt(MAX_SHOWN_STORE - 1));
  return `${store.slice(0, high ? MAX_SHOWN_STORE - 1 : MAX_SHOWN_STORE)}…`;
}

/** The violation of one field, explained by the error's message. */
const violation = (field: string, error: Error) => [{ field, description: error.message }];

/**
 * The one table from failures to gRPC status codes (gRPC's statuscodes.md is the reference) and to the reasons of
 * `error_reason.proto`, with the facts each reason's metadata and field violations carry: all read from the
 * errors' typed properties, never from their messages. The first rule whose class the error is an instance of
 * applies, so a subclass comes before its parent. Messages of these errors are written to be shown to callers:
 * they never contain a session key, data or an internal cause.
 */
const RULES: readonly Rule[] = [
  rule(InvalidKeyError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.MALFORMED_KEY,
    violations: violation(
      error.position === undefined ? REQUEST_FIELD.key : elementPath(REQUEST_FIELD.keys, error.position),
      error,
    ),
  })),
  rule(UnknownStoreError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.UNKNOWN_STORE,
    metadata: { store: shownStore(error.store) },
    violations: violation(REQUEST_FIELD.store, error),
  })),
  rule(TtlOutOfRangeError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.TTL_OUT_OF_RANGE,
    metadata: { min_seconds: String(error.min), max_seconds: String(error.max) },
    violations: violation(REQUEST_FIELD.idleTtl, error),
  })),
  // Before its parent InvalidArgumentError: the id is well formed, but remembered for another request.
  rule(RequestIdReusedError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.REQUEST_ID_REUSED,
    violations: violation(REQUEST_FIELD.requestId, error),
  })),
  rule(InvalidArgumentError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.INVALID_FIELD,
    violations: violation(ARGUMENT_FIELD[error.argument], error),
  })),
  rule(TooManyKeysError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.TOO_MANY_KEYS,
    metadata: { max_keys: String(error.limit) },
    violations: violation(error.field, error),
  })),
  rule(InvalidRequestError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.INVALID_FIELD,
    violations: violation(error.field, error),
  })),
  rule(SessionTooDeepError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.DATA_TOO_DEEP,
    metadata: { max_depth: String(error.limit) },
    violations: violation(ARGUMENT_FIELD[error.argument], error),
  })),
  // Too deep for the request decoder itself (before any store is known): the caller's data, as with a store's
  // maxDataDepth.
  rule(RequestTooDeepError, (error) => ({
    code: status.INVALID_ARGUMENT,
    reason: ErrorReason.DATA_TOO_DEEP,
    violations: violation(REQUEST_FIELD.data, error),
  })),
  rule(SessionTooLargeError, (error) => ({
    code: status.RESOURCE_EXHAUSTED,
    reason: ErrorReason.DATA_TOO_LARGE,
    metadata: { limit_bytes: String(error.limit), size_bytes: String(error.size) },
    violations: violation(ARGUMENT_FIELD[error.argument], error),
  })),
  // The same refusal before the data was decoded: its size is the least its JSON can be.
  rule(DataTooLargeError, (error) => ({
    code: status.RESOURCE_EXHAUSTED,
    reason: ErrorReason.DATA_TOO_LARGE,
    metadata: { limit_bytes: String(error.limit), size_bytes: String(error.size) },
    violations: violation(error.field, error),
  })),
  // Redis is full: the operator's to fix, not a bug (INTERNAL) nor a passing outage (UNAVAILABLE, retried).
  rule(BackendFullError, () => ({ code: status.RESOURCE_EXHAUSTED, reason: ErrorReason.BACKEND_FULL })),
  rule(ResponseTooLargeError, (error) => ({
    code: status.RESOURCE_EXHAUSTED,
    reason: ErrorReason.RESPONSE_TOO_LARGE,
    metadata: { limit_bytes: String(error.limit), size_bytes: String(error.size) },
  })),
  rule(SessionExistsError, () => ({ code: status.ALREADY_EXISTS, reason: ErrorReason.SESSION_EXISTS })),
  rule(SessionNotFoundError, () => ({ code: status.NOT_FOUND, reason: ErrorReason.SESSION_NOT_FOUND })),
  // The health protocol's own answer for a service it does not know: no reason of this service's catalog fits.
  rule(UnknownServiceError, () => ({ code: status.NOT_FOUND, reason: undefined })),
  // A lost race: the client should re-read and retry the whole read-modify-write (ABORTED, not
  // FAILED_PRECONDITION, per statuscodes.md).
  rule(ConcurrentModificationError, () => ({
    code: status.ABORTED,
    reason: ErrorReason.CONCURRENT_MODIFICATION,
  })),
  rule(VersionConflictError, (error) => ({
    code: status.ABORTED,
    reason: ErrorReason.VERSION_MISMATCH,
    metadata:
      error.currentVersion === undefined ? undefined : { current_version: String(error.currentVersion) },
  })),
  rule(CorruptRecordError, () => ({ code: status.DATA_LOSS, reason: ErrorReason.RECORD_CORRUPT })),
  rule(BackendUnavailableError, () => ({
    code: status.UNAVAILABLE,
    reason: ErrorReason.BACKEND_UNAVAILABLE,
  })),
  rule(DeadlineExceededError, () => ({
    code: status.DEADLINE_EXCEEDED,
    reason: ErrorReason.DEADLINE_EXCEEDED,
  })),
  // Refused by the auth interceptor before any handler ran: no (valid) token, or a token without the scope or
  // store the call needs.
  rule(UnauthenticatedError, () => ({ code: status.UNAUTHENTICATED, reason: ErrorReason.UNAUTHENTICATED })),
  rule(PermissionDeniedError, (error) => ({
    code: status.PERMISSION_DENIED,
    reason: ErrorReason.PERMISSION_DENIED,
    metadata: {
      scope: error.scope,
      ...(error.store === undefined ? {} : { store: shownStore(error.store) }),
    },
  })),
  // Request bytes that cannot be parsed: INTERNAL by gRPC's table (and grpc-js'), with a reason of its own.
  rule(MalformedRequestError, () => ({ code: status.INTERNAL, reason: ErrorReason.MALFORMED_REQUEST })),
  // BackendError and every failure no rule names: a bug or a misconfigured Redis.
];

const INTERNAL: Classification = { code: status.INTERNAL, reason: ErrorReason.INTERNAL };

/** What `error` is for the caller: the first matching rule's answer, INTERNAL when none matches. */
export function classify(error: unknown): Classification {
  const match = RULES.find(({ type }) => error instanceof type);
  return match === undefined ? INTERNAL : match.classify(error as never);
}

/** Codes whose cause an operator should see in the log. */
const LOGGED = new Set([status.INTERNAL, status.DATA_LOSS, status.UNAVAILABLE]);

/**
 * Refusals, logged with their reason and method only: the reason names what was missing, never the token, and
 * a stack trace would say nothing more.
 */
const REFUSED = new Set([status.UNAUTHENTICATED, status.PERMISSION_DENIED]);

/**
 * The status a failed call ends with, and its google.rpc.Status details in the trailers. Unknown failures become
 * INTERNAL with a generic message (never UNKNOWN, never the cause); the cause goes to the log only.
 *
 * @param method - the method, for the log: its descriptor, or (for calls refused before a handler) its path.
 */
export function toCallFailure(
  error: unknown,
  method: Pick<DescMethod, "name"> | string,
  logger: Logger,
): CallFailure {
  const rpc = typeof method === "string" ? method : method.name;
  const classification = classify(error);
  const { code } = classification;
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
  return { code, details, metadata: statusTrailers(code, details, classification) };
}
