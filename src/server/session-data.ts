import { EncodedStruct } from "../rpc/wire/encoded-struct.js";
import { JsonTextError, writeJsonTextAsStruct } from "../rpc/wire/json-text-struct.js";
import { acquireWriter } from "../rpc/wire/wire-writer.js";
import { CorruptRecordError } from "../store/errors.js";
import type { SessionDataReader } from "../store/session-payload.js";

/** The message depth of `Session.data` in every response that carries sessions: response 1, Session 2, Struct 3. */
const SESSION_DATA_DEPTH = 3;

/**
 * Reads a stored session's JSON straight into the wire bytes of `Session.data`, for the responses that carry
 * session data (GetSession, BatchGetSessions): no object is parsed from the JSON only to be encoded again.
 *
 * @throws {CorruptRecordError} when the bytes are not a JSON object, as the store's own reader does.
 */
export const encodedSessionData: SessionDataReader<EncodedStruct> = (json) => {
  const writer = acquireWriter();
  try {
    writeJsonTextAsStruct(writer, json, SESSION_DATA_DEPTH);
  } catch (error) {
    writer.reset();
    if (error instanceof JsonTextError) {
      throw new CorruptRecordError("record payload is not a JSON object", { cause: error });
    }
    throw error;
  }
  return new EncodedStruct(writer.finish());
};
