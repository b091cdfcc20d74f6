import type {
  BatchGetSessionsRequest,
  BatchGetSessionsResponse,
  CallOptions,
  ChannelCredentials,
  CreateSessionRequest,
  CreateSessionResponse,
  DeleteSessionRequest,
  DeleteSessionResponse,
  ErrorReasonName,
  FieldViolation,
  GetSessionRequest,
  GetSessionResponse,
  JsonObject,
  JsonValue,
  Metadata,
  RetryOptions,
  RotateSessionKeyRequest,
  RotateSessionKeyResponse,
  SaveSessionRequest,
  SaveSessionResponse,
  ServiceClient,
  ServiceClientOptions,
  Session,
  SessionClient,
  SessionClientOptions,
  SessionInfo,
  TlsOptions,
  TouchSessionRequest,
  TouchSessionResponse,
  UnaryMethod,
  UnaryMethodName,
} from "redisession";
import * as redisession from "redisession";
import { describe, expect, expectTypeOf, it } from "vitest";

/**
 * The server package `redisession` keeps exporting what it exported before the client had a package of its own
 * (the lists below are its exports at that point); the type imports above fail the type-check if one goes.
 */
const RUNTIME_EXPORTS_BEFORE = [
  "Code",
  "DEFAULT_RETRY_OPTIONS",
  "DEFAULT_TIMEOUT_MS",
  "DataFormat",
  "ErrorReason",
  "IDEMPOTENT_SESSION_METHODS",
  "SaveCondition",
  "SessionService",
  "SessionServiceError",
  "createClient",
  "createSessionClient",
  "file_redisession_v1_session_service",
  "isSessionServiceError",
  "sessionData",
];

describe("the redisession package's exports", () => {
  it("still has every value it exported before, and the new client API", () => {
    expect(Object.keys(redisession)).toEqual(expect.arrayContaining(RUNTIME_EXPORTS_BEFORE));
    expect(Object.keys(redisession)).toEqual(
      expect.arrayContaining(["createAdminClient", "duration", "toDate", "toSeconds", "toTimestamp"]),
    );
  });

  it("still has every type it exported before", () => {
    expectTypeOf<SessionClient>().toEqualTypeOf<ServiceClient<typeof redisession.SessionService>>();
    expectTypeOf<
      [
        BatchGetSessionsRequest,
        BatchGetSessionsResponse,
        CallOptions,
        ChannelCredentials,
        CreateSessionRequest,
        CreateSessionResponse,
        DeleteSessionRequest,
        DeleteSessionResponse,
        ErrorReasonName,
        FieldViolation,
        GetSessionRequest,
        GetSessionResponse,
        JsonObject,
        JsonValue,
        Metadata,
        RetryOptions,
        RotateSessionKeyRequest,
        RotateSessionKeyResponse,
        SaveSessionRequest,
        SaveSessionResponse,
        ServiceClientOptions<typeof redisession.SessionService>,
        Session,
        SessionClientOptions,
        SessionInfo,
        TlsOptions,
        TouchSessionRequest,
        TouchSessionResponse,
        UnaryMethod<unknown>,
        UnaryMethodName<typeof redisession.SessionService>,
      ]
    >().not.toBeNever();
  });
});
