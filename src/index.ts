/**
 * redisession's package root: the typed client, and the generated message types of the contract
 * (`redisession.v1`). The server and the store are applications of this package, not its API.
 *
 * @module
 */

export {
  type BatchGetSessionsRequest,
  type BatchGetSessionsResponse,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type DeleteSessionRequest,
  type DeleteSessionResponse,
  file_redisession_v1_session_service,
  type GetSessionRequest,
  type GetSessionResponse,
  type RotateSessionKeyRequest,
  type RotateSessionKeyResponse,
  type SaveSessionRequest,
  type SaveSessionResponse,
  type TouchSessionRequest,
  type TouchSessionResponse,
} from "../gen/redisession/v1/session_service_pb.js";
export * from "./client/index.js";
