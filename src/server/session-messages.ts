import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Duration, DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  SaveCondition as SaveConditionEnum,
  type SessionSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { EncodedStruct } from "../rpc/wire/encoded-struct.js";
import type { JsonObject, SaveCondition, Session, SessionStamp } from "../store/session.js";
import { InvalidRequestError } from "./call-errors.js";
import { REQUEST_FIELD } from "./request-fields.js";

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

/**
 * A session (or a stamp, without data) as a `Session` message; its data may be a JSON object or already in wire
 * form (see `session-data.ts`).
 */
export function sessionMessage(
  session: Session | Session<EncodedStruct> | SessionStamp,
): MessageInitShape<typeof SessionSchema> {
  return {
    key: session.key,
    data: "data" in session ? structFieldValue(session.data) : undefined,
    version: session.version,
    createTime: session.createdAt === undefined ? undefined : timestampInit(session.createdAt),
    expireTime: timestampInit(session.expiresAt),
    idleTtl: durationInit(session.idleTtl),
  };
}

function structFieldValue(data: JsonObject | EncodedStruct): JsonObject {
  return data instanceof EncodedStruct ? data.asFieldValue() : data;
}

/** A session without its data. */
export function stampOf({ key, version, createdAt, expiresAt, idleTtl }: SessionStamp): SessionStamp {
  return { key, version, createdAt, expiresAt, idleTtl };
}

/** The repository's save condition for a SaveSession request's `condition` and `expected_version`. */
export function saveCondition(condition: SaveConditionEnum, expectedVersion: number): SaveCondition {
  if (condition !== SaveConditionEnum.EXPECTED_VERSION && expectedVersion !== 0) {
    throw new InvalidRequestError(
      REQUEST_FIELD.expectedVersion,
      "expected_version is only allowed with SAVE_CONDITION_EXPECTED_VERSION",
    );
  }
  switch (condition) {
    case SaveConditionEnum.UNSPECIFIED:
    case SaveConditionEnum.UPSERT:
      return { kind: "upsert" };
    case SaveConditionEnum.MUST_CREATE:
      return { kind: "mustCreate" };
    case SaveConditionEnum.MUST_EXIST:
      return { kind: "mustExist" };
    case SaveConditionEnum.EXPECTED_VERSION:
      // 0 means "unset" on the wire; versions start at 1.
      if (expectedVersion === 0) {
        throw new InvalidRequestError(REQUEST_FIELD.expectedVersion, "expected_version must be at least 1");
      }
      return { kind: "version", expected: expectedVersion };
    default:
      throw new InvalidRequestError(REQUEST_FIELD.condition, "unknown save condition");
  }
}
