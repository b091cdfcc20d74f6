import * as redisession from "redisession";
import { describe, expect, expectTypeOf, it } from "vitest";

/**
 * The server package `redisession` keeps exporting what it exported before the client had a package of its own
 * (the lists below are its exports at that point); the type list fails the type-check if one goes.
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
    expectTypeOf<redisession.SessionClient>().toEqualTypeOf<
      redisession.ServiceClient<typeof redisession.SessionService>
    >();
    expectTypeOf<
      [
        redisession.BatchGetSessionsRequest,
        redisession.BatchGetSessionsResponse,
        redisession.CallOptions,
        redisession.ChannelCredentials,
        redisession.CreateSessionRequest,
        redisession.CreateSessionResponse,
        redisession.DeleteSessionRequest,
        redisession.DeleteSessionResponse,
        redisession.ErrorReasonName,
        redisession.FieldViolation,
        redisession.GetSessionRequest,
        redisession.GetSessionResponse,
        redisession.JsonObject,
        redisession.JsonValue,
        redisession.Metadata,
        redisession.RetryOptions,
        redisession.RotateSessionKeyRequest,
        redisession.RotateSessionKeyResponse,
        redisession.SaveSessionRequest,
        redisession.SaveSessionResponse,
        redisession.ServiceClientOptions<typeof redisession.SessionService>,
        redisession.Session,
        redisession.SessionClientOptions,
        redisession.SessionInfo,
        redisession.TlsOptions,
        redisession.TouchSessionRequest,
        redisession.TouchSessionResponse,
        redisession.UnaryMethod<unknown>,
        redisession.UnaryMethodName<typeof redisession.SessionService>,
      ]
    >().not.toBeNever();
  });
});
