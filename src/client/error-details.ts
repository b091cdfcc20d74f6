import { fromBinary } from "@bufbuild/protobuf";
import { type Any, anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Metadata, status } from "@grpc/grpc-js";
import {
  type BadRequest_FieldViolation,
  BadRequestSchema,
  type ErrorInfo,
  ErrorInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import type { ErrorReason } from "../../gen/redisession/v1/error_reason_pb.js";

/**
 * Reading the machine-readable details the service sends with every failure (Google's AIP-193): a
 * `google.rpc.Status` in the `grpc-status-details-bin` trailer, holding an `ErrorInfo` (the reason) and, when request
 * fields are to blame, a `BadRequest`.
 */

/** The trailer that carries the google.rpc.Status. */
const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** `ErrorInfo.domain` of the service's own reasons. */
const ERROR_DOMAIN = "redisession";

/**
 * A reason the service sends (`SessionServiceError.reason`): an `ErrorReason` value's name without its
 * `ERROR_REASON_` prefix, e.g. `"MALFORMED_KEY"`. `proto/redisession/v1/error_reason.proto` documents each one.
 */
export type ErrorReasonName = Exclude<keyof typeof ErrorReason, "UNSPECIFIED">;

/** One request field the service refused, and why (a `google.rpc.BadRequest.FieldViolation`). */
export type FieldViolation = Readonly<Pick<BadRequest_FieldViolation, "field" | "description">>;

/** The details of one failure, as `SessionServiceError` exposes them. */
export interface ErrorDetails {
  readonly reason: string | undefined;
  readonly errorMetadata: Readonly<Record<string, string>>;
  readonly fieldViolations: readonly FieldViolation[];
}

const NO_DETAILS: ErrorDetails = Object.freeze({
  reason: undefined,
  errorMetadata: Object.freeze({}),
  fieldViolations: Object.freeze([]),
});

/**
 * The details in `trailers` of a call that ended with `code`. Never throws: without the trailer, with bytes that
 * do not decode, or with a Status whose code is not the call's (a proxy's, describing another failure), there are
 * no details. Only an ErrorInfo of the service's domain gives the reason; others (a gateway's) are ignored.
 */
export function decodeErrorDetails(code: status, trailers: Metadata | undefined): ErrorDetails {
  const value = trailers?.get(STATUS_DETAILS_KEY)[0];
  if (!(value instanceof Uint8Array)) return NO_DETAILS;
  try {
    const statusMessage = fromBinary(StatusSchema, value);
    if (statusMessage.code !== code) return NO_DETAILS;
    let info: ErrorInfo | undefined;
    const fieldViolations: FieldViolation[] = [];
    for (const detail of statusMessage.details) {
      info ??= unpackInfo(detail);
      const badRequest = anyUnpack(detail, BadRequestSchema);
      if (badRequest !== undefined) {
        for (const { field, description } of badRequest.fieldViolations) {
          fieldViolations.push(Object.freeze({ field, description }));
        }
      }
    }
    return Object.freeze({
      reason: info?.reason || undefined,
      errorMetadata: Object.freeze({ ...info?.metadata }),
      fieldViolations: Object.freeze(fieldViolations),
    });
  } catch {
    // Bytes that are not a Status (or an Any that does not hold what its type URL says): no details.
    return NO_DETAILS;
  }
}

/** The ErrorInfo of the service's domain in `detail`, if it is one. */
function unpackInfo(detail: Any): ErrorInfo | undefined {
  const info = anyUnpack(detail, ErrorInfoSchema);
  return info?.domain === ERROR_DOMAIN ? info : undefined;
}
