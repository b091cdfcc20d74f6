import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Metadata, status } from "@grpc/grpc-js";
import { expect } from "vitest";
import {
  type BadRequest,
  BadRequestSchema,
  type ErrorInfo,
  ErrorInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { type Status, StatusSchema } from "../../gen/google/rpc/status_pb.js";
import type { ErrorReasonName, SessionServiceError } from "../../src/client/index.js";

/** What a failure must say: its code, its reason, its ErrorInfo metadata and the fields it blames. */
export interface ExpectedDetails {
  readonly code: status;
  readonly reason: ErrorReasonName;
  /** Default: none. */
  readonly metadata?: Record<string, string>;
  /** The violated fields' paths, in order. Default: none. */
  readonly fields?: readonly string[];
}

/**
 * Asserts what the shipped client decoded from a failure's trailers. Each violation's description is the status
 * message: every failure blames its fields for the one reason its message gives.
 */
export function expectDetails(error: SessionServiceError, expected: ExpectedDetails): void {
  expect({
    code: error.code,
    reason: error.reason,
    metadata: error.errorMetadata,
    fields: error.fieldViolations.map((violation) => violation.field),
  }).toEqual({
    code: expected.code,
    reason: expected.reason,
    metadata: expected.metadata ?? {},
    fields: expected.fields ?? [],
  });
  for (const violation of error.fieldViolations) expect(violation.description).toBe(error.details);
}

/** The bytes of a failure's `grpc-status-details-bin` trailer as text, to search for what must not be there. */
export function trailerText(error: SessionServiceError): string {
  const bytes = error.metadata?.get("grpc-status-details-bin")[0];
  if (!(bytes instanceof Buffer)) throw new Error("no grpc-status-details-bin trailer");
  return bytes.toString("latin1");
}

/** The google.rpc.Status in a failure's trailers, and what it packs, decoded with protobuf-es alone. */
export interface RawStatus {
  readonly status: Status;
  readonly errorInfos: ErrorInfo[];
  readonly badRequests: BadRequest[];
  /** The type URLs of every packed detail, in order. */
  readonly typeUrls: string[];
}

/**
 * Decodes `grpc-status-details-bin` with protobuf-es's fromBinary and anyUnpack, independently of the shipped
 * client's decoding. Fails the test when the trailer is missing or appears more than once.
 */
export function rawStatus(trailers: Metadata | undefined): RawStatus {
  const values = trailers?.get("grpc-status-details-bin") ?? [];
  expect(values, "one grpc-status-details-bin trailer").toHaveLength(1);
  const bytes = values[0];
  if (!(bytes instanceof Buffer)) throw new Error("grpc-status-details-bin is not binary");
  const decoded = fromBinary(StatusSchema, bytes);
  const unpacked = <T>(schema: Parameters<typeof anyUnpack>[1]) =>
    decoded.details.flatMap((any) => {
      const message = anyUnpack(any, schema);
      return message === undefined ? [] : [message as T];
    });
  return {
    status: decoded,
    errorInfos: unpacked<ErrorInfo>(ErrorInfoSchema),
    badRequests: unpacked<BadRequest>(BadRequestSchema),
    typeUrls: decoded.details.map((any) => any.typeUrl),
  };
}
