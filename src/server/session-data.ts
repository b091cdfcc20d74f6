import { EncodedStruct } from "../rpc/wire/encoded-struct.js";
import { JsonTextDepthError, JsonTextError, writeJsonTextAsStruct } from "../rpc/wire/json-text-struct.js";
import { structBytes } from "../rpc/wire/struct-writer.js";
import { acquireWriter, type WireWriter } from "../rpc/wire/wire-writer.js";
import { CorruptRecordError } from "../store/errors.js";
import { parseSessionJson, type SessionDataReader } from "../store/records/session-payload.js";

/**
 * The message depth of `Session.data` in every response that carries sessions: response 1, Session 2, Struct 3.
 * A store's `maxDataDepth` (at most MAX_DATA_DEPTH, see config-schema.ts) keeps data at this depth encodable.
 */
const SESSION_DATA_DEPTH = 3;

/**
 * Reads a stored session's JSON straight into the wire bytes of `Session.data`, for the responses that carry
 * session data (GetSession, BatchGetSessions, RotateSessionKey): no object is parsed from the JSON only to be
 * encoded again. What it returns is encoded already, so a response carrying it cannot fail to encode.
 *
 * @throws {CorruptRecordError} when the bytes are not a JSON object, or it nests deeper than `maxDataDepth`, as
 *   the store's own reader does.
 */
export const encodedSessionData: SessionDataReader<EncodedStruct> = (json, maxDataDepth) => {
  const writer = acquireWriter();
  if (!transcoded(writer, json, maxDataDepth)) return parsedSessionData(json, maxDataDepth);
  return new EncodedStruct(writer.finish());
};

/**
 * Reads a stored session's JSON as the text `Session.data_json` carries (DATA_FORMAT_JSON): checked as
 * {@link encodedSessionData} checks it, then answered as stored, so that its integers keep every digit.
 *
 * @throws {CorruptRecordError} as {@link encodedSessionData}.
 */
export const jsonTextSessionData: SessionDataReader<string> = (json, maxDataDepth) => {
  const writer = acquireWriter();
  // The transcoder is the cheapest full check of the grammar and the depth; its bytes are not needed.
  const checked = transcoded(writer, json, maxDataDepth);
  writer.reset();
  if (!checked) parseSessionJson(json, maxDataDepth);
  return json.toString("utf8");
};

/**
 * Transcodes `json` into `writer` (left to the caller to finish or reset); false when the text nests deeper than
 * the transcoder follows, for the object path to decide.
 *
 * @throws {CorruptRecordError} when the bytes are not a JSON object (the writer is reset).
 */
function transcoded(writer: WireWriter, json: Buffer, maxDataDepth: number): boolean {
  try {
    writeJsonTextAsStruct(writer, json, SESSION_DATA_DEPTH, maxDataDepth);
    return true;
  } catch (error) {
    writer.reset();
    if (error instanceof JsonTextError) {
      throw new CorruptRecordError("record payload is not a JSON object", { cause: error });
    }
    if (error instanceof JsonTextDepthError) return false;
    throw error;
  }
}

/**
 * The object path, for a text the transcoder found too deep: rare (only records written by hand or before the
 * limit was lowered), and the parsed object decides, as for every other reader: the text may be invalid further
 * on, or shallower once parsed (a later duplicate key replacing the deep value).
 */
function parsedSessionData(json: Buffer, maxDataDepth: number): EncodedStruct {
  return new EncodedStruct(structBytes(parseSessionJson(json, maxDataDepth), SESSION_DATA_DEPTH));
}
