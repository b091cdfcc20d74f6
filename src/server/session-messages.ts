import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Duration, DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  DataFormat,
  SaveCondition as SaveConditionEnum,
  type SessionInfoSchema,
  type SessionSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { undecodableBecause } from "../rpc/undecodable-request.js";
import { DeferredStruct } from "../rpc/wire/deferred-struct.js";
import type { EncodedStruct } from "../rpc/wire/encoded-struct.js";
import type { SessionDataReader } from "../store/records/session-payload.js";
import {
  type JsonObject,
  JsonText,
  type SaveCondition,
  type Session,
  type SessionDataInput,
  type SessionStamp,
} from "../store/session.js";
import { DataTooLargeError, InvalidRequestError } from "./call-errors.js";
import { REQUEST_FIELD } from "./request-fields.js";
import { encodedSessionData, jsonTextSessionData } from "./session-data.js";

/**
 * Conversions between the wire messages and the repository's plain types. The repository knows nothing of
 * protobuf; the handlers know nothing of records.
 */

/**
 * Seconds in a TTL Duration, or undefined when unset. Range checks are the store's: it knows its maxTtl, and its
 * refusal names the range (TTL_OUT_OF_RANGE with `min_seconds` and `max_seconds`).
 */
export function ttlSeconds(ttl: Duration | undefined): number | undefined {
  if (ttl === undefined) return undefined;
  // A fraction of a second is no whole number of seconds: NaN is refused by the store's range check like any
  // other. (seconds + nanos / 1e9 would not do: at 2^23 seconds and beyond, one nanosecond rounds away.)
  if (ttl.nanos !== 0) return Number.NaN;
  return Number(ttl.seconds);
}

/**
 * A Date as a `google.protobuf.Timestamp` init object. Plain, rather than protobuf-es' `timestampFromDate`
 * (which makes a message through its reflection API): the wire encoder takes init objects, and a batch makes two
 * of these per session.
 */
export function timestampInit(date: Date): MessageInitShape<typeof TimestampSchema> {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

const MAX_CACHED_DURATIONS = 256;
const durations = new Map<number, MessageInitShape<typeof DurationSchema>>();

/**
 * A whole-second `google.protobuf.Duration` init object. Sessions of one store mostly share one idle TTL, and a
 * batch makes one of these per session: the few distinct ones are made once (and frozen, being shared).
 */
function durationInit(seconds: number): MessageInitShape<typeof DurationSchema> {
  let init = durations.get(seconds);
  if (init === undefined) {
    if (durations.size >= MAX_CACHED_DURATIONS) durations.clear();
    init = Object.freeze({ seconds: BigInt(seconds), nanos: 0 });
    durations.set(seconds, init);
  }
  return init;
}

/** A session's data as a response carries it: Struct bytes, or JSON text (see `session-data.ts`). */
export type ResponseData = EncodedStruct | string;

/** The reader that makes a stored session's data into what a read asked for (`data_format`). */
export function dataReader(format: DataFormat): SessionDataReader<ResponseData> {
  switch (format) {
    case DataFormat.UNSPECIFIED:
    case DataFormat.STRUCT:
      return encodedSessionData;
    case DataFormat.JSON:
      return jsonTextSessionData;
    default:
      throw new InvalidRequestError(REQUEST_FIELD.dataFormat, "unknown data format");
  }
}

/** A session as a `Session` message, its data in the form its reader made. */
export function sessionMessage(session: Session<ResponseData>): MessageInitShape<typeof SessionSchema> {
  const data = session.data;
  return {
    key: session.key,
    content:
      typeof data === "string"
        ? { case: "dataJson", value: data }
        : { case: "data", value: data.asFieldValue() },
    version: session.version,
    createTime: session.createdAt === undefined ? undefined : timestampInit(session.createdAt),
    expireTime: timestampInit(session.expiresAt),
    idleTtl: durationInit(session.idleTtl),
  };
}

/** A session's key, version and times as a `SessionInfo` message: what writes answer. */
export function sessionInfo(stamp: SessionStamp): MessageInitShape<typeof SessionInfoSchema> {
  return {
    key: stamp.key,
    version: stamp.version,
    createTime: stamp.createdAt === undefined ? undefined : timestampInit(stamp.createdAt),
    expireTime: timestampInit(stamp.expiresAt),
    idleTtl: durationInit(stamp.idleTtl),
  };
}

/**
 * A request's Struct data, decoded once it is known that it may fit the store. The server leaves requests' large
 * Structs undecoded (`DeferredStruct`); one whose JSON cannot fit `maxSessionBytes` is refused without being
 * decoded (it would take hundreds of milliseconds for a few megabytes of small fields).
 *
 * @throws {DataTooLargeError} when the data's JSON is certainly larger than `maxSessionBytes`.
 * @throws {RequestTooDeepError} or {@link MalformedRequestError} when its bytes do not decode, as a request's would.
 */
function structData(value: JsonObject, maxSessionBytes: number): JsonObject {
  if (!(value instanceof DeferredStruct)) return value;
  const sizeOver = value.sizeOver(maxSessionBytes);
  if (sizeOver !== undefined) throw new DataTooLargeError(sizeOver, maxSessionBytes, REQUEST_FIELD.data);
  try {
    return value.decode();
  } catch (error) {
    throw undecodableBecause(error);
  }
}

/**
 * The data of a Create or SaveSession request (its `content`), as the store takes it; unset means `{}`.
 *
 * @param maxSessionBytes - the store's: Struct data certainly larger is refused before it is decoded.
 * @throws {DataTooLargeError} and the errors of an undecodable request: see {@link structData}.
 */
export function requestData(
  content: { case: "data"; value: JsonObject } | { case: "dataJson"; value: string } | { case: undefined },
  maxSessionBytes: number,
): SessionDataInput {
  switch (content.case) {
    case "data":
      return structData(content.value, maxSessionBytes);
    case "dataJson":
      // A string's UTF-8 bytes are its JSON: the store sizes it before parsing it.
      return new JsonText(content.value);
    default:
      return {};
  }
}

/** A request's `request_id` as the store takes it: the empty string (proto3's unset) is none. */
export function requestId(field: string): string | undefined {
  return field === "" ? undefined : field;
}

/**
 * The repository's save condition for a SaveSession request's `condition` and `expected_version`. There is no
 * default: an unset condition is refused, so that no caller writes "whatever happens".
 */
export function saveCondition(condition: SaveConditionEnum, expectedVersion: number): SaveCondition {
  if (condition !== SaveConditionEnum.EXPECTED_VERSION && expectedVersion !== 0) {
    throw new InvalidRequestError(
      REQUEST_FIELD.expectedVersion,
      "expected_version is only allowed with SAVE_CONDITION_EXPECTED_VERSION",
    );
  }
  switch (condition) {
    case SaveConditionEnum.UNSPECIFIED:
      throw new InvalidRequestError(
        REQUEST_FIELD.condition,
        "condition is required: SAVE_CONDITION_MUST_CREATE, SAVE_CONDITION_MUST_EXIST or SAVE_CONDITION_EXPECTED_VERSION",
      );
    case SaveConditionEnum.MUST_CREATE:
      return { kind: "mustCreate" };
    case SaveConditionEnum.MUST_EXIST:
      return { kind: "mustExist" };
    case SaveConditionEnum.EXPECTED_VERSION:
      // 0 means "unset" on the wire; versions start at 1.
      if (expectedVersion < 1) {
        throw new InvalidRequestError(REQUEST_FIELD.expectedVersion, "expected_version must be at least 1");
      }
      return { kind: "version", expected: expectedVersion };
    default:
      throw new InvalidRequestError(REQUEST_FIELD.condition, "unknown save condition");
  }
}
