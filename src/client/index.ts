/**
 * The typed clients of redisession's SessionService and SessionAdminService, and the generic descriptor-driven
 * client they are made with.
 * Callers need not import grpc-js or the generated code themselves: status codes (`Code`), the message types they
 * handle (`Session`, `SaveCondition`), the error class and its reasons (`ErrorReason`) are all here.
 */
// A session's data is a protobuf Struct, which protobuf-es v2 shows as a plain JSON object.
export type { JsonObject, JsonValue } from "@bufbuild/protobuf";
// The well-known types `duration()`, `toDate()`, `toSeconds()` and `toTimestamp()` convert.
export type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
// grpc-js's status enum under the name callers switch on: `switch (error.code) { case Code.NOT_FOUND: … }`.
// Metadata is the type of `SessionServiceError.metadata`; ChannelCredentials that of the `credentials` option.
export { type ChannelCredentials, type Metadata, status as Code } from "@grpc/grpc-js";
export {
  type BucketFill,
  type GetStoreStatsResponse,
  type ListStoresResponse,
  type PurgeExpiredResponse,
  SessionAdminService,
  type StoreInfo,
  StoreStrategy,
} from "../../gen/redisession/v1/admin_service_pb.js";
// The catalog of `SessionServiceError.reason`: `ErrorReason[ErrorReason.MALFORMED_KEY] === "MALFORMED_KEY"`.
export { ErrorReason } from "../../gen/redisession/v1/error_reason_pb.js";
export {
  DataFormat,
  SaveCondition,
  type Session,
  type SessionInfo,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
export { type AdminClient, type AdminClientOptions, createAdminClient } from "./admin-client.js";
export { DEFAULT_TIMEOUT_MS, type ServiceClientOptions, type TlsOptions } from "./client-options.js";
export type { CallOptions, ServiceClient, UnaryMethod, UnaryMethodName } from "./client-types.js";
export { createClient } from "./create-client.js";
export type { ErrorReasonName, FieldViolation } from "./error-details.js";
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./service-config.js";
export { isSessionServiceError, SessionServiceError } from "./service-error.js";
export {
  createSessionClient,
  IDEMPOTENT_SESSION_METHODS,
  type SessionClient,
  type SessionClientOptions,
} from "./session-client.js";
export { sessionData } from "./session-content.js";
export { duration, toDate, toSeconds, toTimestamp } from "./time-values.js";
