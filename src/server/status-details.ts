import type { DescMessage } from "@bufbuild/protobuf";
import { Metadata, type status } from "@grpc/grpc-js";
import {
  type BadRequest_FieldViolation,
  BadRequestSchema,
  ErrorInfoSchema,
  file_google_rpc_error_details,
} from "../../gen/google/rpc/error_details_pb.js";
import { file_google_rpc_status, StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { ErrorReason } from "../../gen/redisession/v1/error_reason_pb.js";
import { messageCodec } from "../rpc/wire/message-codec.js";

/**
 * The wire form of a failure's machine-readable details (Google's AIP-193): a `google.rpc.Status` with the
 * call's code and message, an `ErrorInfo` and, for bad fields, a `BadRequest`, binary-encoded in the
 * `grpc-status-details-bin` trailer. What a failure says is decided in `grpc-status.ts`; this only encodes it.
 */

/** The trailer that carries the google.rpc.Status (grpc-js base64-encodes `-bin` values itself). */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** The files declaring what the trailer holds (for reflection). */
export const STATUS_DETAIL_FILES = [file_google_rpc_status, file_google_rpc_error_details] as const;

/** `ErrorInfo.domain`: who defines the reasons. */
export const ERROR_DOMAIN = "redisession";

/**
 * One bad request field: its path in the request in proto field names (`key`, `keys[3]`), and why it is wrong in
 * English, never quoting the value. (The violation's own reason is the failure's.)
 */
export type FieldViolation = Readonly<Pick<BadRequest_FieldViolation, "field" | "description">>;

/** What a failure tells a program, besides its code and message. */
export interface StatusDetails {
  /** Why it failed; undefined only where no reason of the catalog applies (a health check's unknown service). */
  readonly reason: ErrorReason | undefined;
  /** `ErrorInfo.metadata`: the facts of this failure (a limit, the version now stored), keys in snake_case. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The bad request fields, when the request is to blame. */
  readonly violations?: readonly FieldViolation[];
}

/**
 * The reason's name as clients see it: the enum value's name without its `ERROR_REASON_` prefix (protobuf-es
 * drops the prefix, so the generated enum's own names are exactly these).
 */
export function reasonName(reason: ErrorReason): string {
  return ErrorReason[reason];
}

// Made once: a NOT_FOUND is a common answer, and its details should cost little.
const statusCodec = messageCodec(StatusSchema);
const errorInfoCodec = messageCodec(ErrorInfoSchema);
const badRequestCodec = messageCodec(BadRequestSchema);

/** An Any's type URL for `schema`, as anyPack makes it. */
const typeUrl = (schema: DescMessage) => `type.googleapis.com/${schema.typeName}`;
const ERROR_INFO_URL = typeUrl(ErrorInfoSchema);
const BAD_REQUEST_URL = typeUrl(BadRequestSchema);

/** ErrorInfos without metadata, by reason: the same bytes every time (one per reason at most). */
const plainErrorInfos = new Map<ErrorReason, Uint8Array>();

/** The encoded ErrorInfo of `reason` with `metadata`. */
function errorInfo(reason: ErrorReason, metadata: Readonly<Record<string, string>>): Uint8Array {
  const plain = Object.keys(metadata).length === 0;
  const cached = plain ? plainErrorInfos.get(reason) : undefined;
  if (cached !== undefined) return cached;
  const bytes = errorInfoCodec.encode({
    reason: reasonName(reason),
    domain: ERROR_DOMAIN,
    metadata: { ...metadata },
  });
  if (plain) plainErrorInfos.set(reason, bytes);
  return bytes;
}

/** The google.rpc.Status of a failure, encoded. */
export function encodeStatus(code: status, message: string, details: StatusDetails): Uint8Array {
  const { reason, metadata = {}, violations = [] } = details;
  const name = reason === undefined ? "" : reasonName(reason);
  const packed: { typeUrl: string; value: Uint8Array }[] = [];
  if (reason !== undefined) packed.push({ typeUrl: ERROR_INFO_URL, value: errorInfo(reason, metadata) });
  if (violations.length > 0) {
    // AIP-193: each field's own reason; here the failure's, since every failure blames its fields for one reason.
    const fieldViolations = violations.map((violation) => ({ ...violation, reason: name }));
    packed.push({ typeUrl: BAD_REQUEST_URL, value: badRequestCodec.encode({ fieldViolations }) });
  }
  return statusCodec.encode({ code, message, details: packed });
}

/** Trailers carrying the google.rpc.Status of a failure. */
export function statusTrailers(code: status, message: string, details: StatusDetails): Metadata {
  const bytes = encodeStatus(code, message, details);
  const trailers = new Metadata();
  trailers.set(STATUS_DETAILS_KEY, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return trailers;
}
