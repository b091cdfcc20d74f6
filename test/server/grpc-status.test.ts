import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ErrorReason } from "../../gen/redisession/v1/error_reason_pb.js";
import { PermissionDeniedError, UnauthenticatedError } from "../../src/auth/auth-errors.js";
import { MalformedRequestError, RequestTooDeepError } from "../../src/rpc/undecodable-request.js";
import {
  DeadlineExceededError,
  InvalidRequestError,
  ResponseTooLargeError,
  TooManyKeysError,
  UnknownServiceError,
} from "../../src/server/call-errors.js";
import { toCallFailure } from "../../src/server/grpc-status.js";
import { createLogger } from "../../src/server/logger.js";
import {
  BackendError,
  BackendFullError,
  BackendUnavailableError,
  ConcurrentModificationError,
  CorruptRecordError,
  InvalidArgumentError,
  InvalidKeyError,
  RequestIdReusedError,
  SessionExistsError,
  SessionNotFoundError,
  SessionTooDeepError,
  SessionTooLargeError,
  TtlOutOfRangeError,
  UnknownStoreError,
  VersionConflictError,
} from "../../src/store/errors.js";
import { rawStatus } from "../support/status-details.js";

/**
 * The mapping itself, and the catalog's completeness. Every reason is also provoked end to end: in
 * error-details*.test.ts, test/security/error-details.test.ts, data-depth.test.ts (DATA_TOO_DEEP),
 * full-redis.test.ts (BACKEND_FULL) and call-accounting.test.ts (MALFORMED_REQUEST, RESPONSE_TOO_LARGE).
 */

const silent = createLogger({ level: "silent" });

/** The code, reason and metadata of `error`'s failure, read back from its trailer. */
function mapped(error: unknown) {
  const failure = toCallFailure(error, "/test/Method", silent);
  const decoded = rawStatus(failure.metadata);
  expect(decoded.status.code).toBe(failure.code);
  expect(decoded.status.message).toBe(failure.details);
  return {
    code: failure.code,
    reason: decoded.errorInfos[0]?.reason,
    domain: decoded.errorInfos[0]?.domain,
    metadata: { ...decoded.errorInfos[0]?.metadata },
    fields: decoded.badRequests.flatMap((request) => request.fieldViolations.map((v) => v.field)),
  };
}

describe("toCallFailure", () => {
  it("maps SessionTooDeepError to INVALID_ARGUMENT DATA_TOO_DEEP with max_depth, blaming data", () => {
    expect(mapped(new SessionTooDeepError(32))).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: "DATA_TOO_DEEP",
      domain: "redisession",
      metadata: { max_depth: "32" },
      fields: ["data"],
    });
  });

  it("maps RequestIdReusedError to INVALID_ARGUMENT REQUEST_ID_REUSED, blaming request_id", () => {
    expect(mapped(new RequestIdReusedError())).toEqual({
      code: status.INVALID_ARGUMENT,
      reason: "REQUEST_ID_REUSED",
      domain: "redisession",
      metadata: {},
      fields: ["request_id"],
    });
  });

  it("maps BackendFullError to RESOURCE_EXHAUSTED BACKEND_FULL, blaming no field", () => {
    expect(mapped(new BackendFullError("Redis is out of memory"))).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      reason: "BACKEND_FULL",
      domain: "redisession",
      metadata: {},
      fields: [],
    });
  });

  it("answers anything unknown INTERNAL, with no word of the cause anywhere in the status", () => {
    const failure = toCallFailure(new Error("secret cause: ECONNRESET at 10.0.0.7"), "/test/Method", silent);
    expect(failure.code).toBe(status.INTERNAL);
    expect(failure.details).toBe("internal error");
    const bytes = failure.metadata.get("grpc-status-details-bin")[0] as Buffer;
    expect(bytes.toString("latin1")).not.toContain("secret");
    expect(mapped(new BackendError("Redis refused the command (NOPERM)")).reason).toBe("INTERNAL");
  });

  it("gives a health check's unknown service its Status but no ErrorInfo: no reason of this catalog fits", () => {
    expect(mapped(new UnknownServiceError("unknown service"))).toEqual({
      code: status.NOT_FOUND,
      reason: undefined,
      domain: undefined,
      metadata: {},
      fields: [],
    });
  });

  it("produces every reason of the catalog but UNSPECIFIED, each from one kind of failure", () => {
    const oneOfEach = [
      new InvalidKeyError("bad key"),
      new UnknownStoreError("nope"),
      new TtlOutOfRangeError(60),
      new InvalidArgumentError("data", "bad data"),
      new RequestIdReusedError(),
      new InvalidRequestError("condition", "bad condition"),
      new SessionTooLargeError(10, 5),
      new SessionTooDeepError(32),
      new RequestTooDeepError(),
      new MalformedRequestError(),
      new ResponseTooLargeError(5_000_000, 4_194_304),
      new TooManyKeysError(1000),
      new SessionExistsError("exists"),
      new SessionNotFoundError("missing"),
      new VersionConflictError("conflict", 4),
      new ConcurrentModificationError(),
      new CorruptRecordError("corrupt"),
      new BackendUnavailableError("unavailable"),
      new BackendFullError("full"),
      new DeadlineExceededError(),
      new UnauthenticatedError("no token"),
      new PermissionDeniedError({ scope: "write", store: "default" }),
      new BackendError("refused"),
    ];
    const produced = new Set(oneOfEach.map((error) => mapped(error).reason));
    const catalog = Object.values(ErrorReason)
      .filter((value): value is ErrorReason => typeof value === "number" && value !== ErrorReason.UNSPECIFIED)
      .map((value) => ErrorReason[value]);
    expect([...produced].sort()).toEqual([...catalog].sort());
  });
});
