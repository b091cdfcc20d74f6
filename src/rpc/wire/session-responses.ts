/**
 * The responses that carry sessions (GetSession, BatchGetSessions, RotateSessionKey), encoded by hand around session
 * data already in wire form: the service's hottest path; and, as cheaply, the writes' answers (SessionInfo), where
 * protobuf-es's `create` then `toBinary` cost 10 to 15% of a call's throughput. The data comes transcoded from the stored JSON
 * (`EncodedStruct`) and is written as it is; protobuf-es's `toBinary` would first build a Struct message and a
 * Value per field, 20 to 30 times slower (bench/wire-codec.ts). Field numbers are those of
 * `proto/redisession/v1/session_service.proto`; the bytes are protobuf-es's, which a property test checks for
 * random sessions (test/rpc/session-codec.test.ts).
 */
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import {
  BatchGetSessionsResponseSchema,
  CreateSessionResponseSchema,
  GetSessionResponseSchema,
  RotateSessionKeyResponseSchema,
  SaveSessionResponseSchema,
  type SessionSchema,
  TouchSessionResponseSchema,
} from "../../../gen/redisession/v1/session_service_pb.js";
import { writeStructField } from "./struct-writer.js";
import { acquireWriter, type WireWriter } from "./wire-writer.js";

type SessionInit = MessageInitShape<typeof SessionSchema>;
type TimeInit = { readonly seconds?: bigint | number | string; readonly nanos?: number } | undefined;

// Tags: field number << 3 | wire type (0: varint, 2: length-delimited).
const FIELD_1_LEN = (1 << 3) | 2;
const FIELD_1_VARINT = (1 << 3) | 0;
const FIELD_2_VARINT = (2 << 3) | 0;
const KEY = FIELD_1_LEN;
const DATA = (2 << 3) | 2;
const VERSION = (3 << 3) | 0;
const CREATE_TIME = (4 << 3) | 2;
const EXPIRE_TIME = (5 << 3) | 2;
const IDLE_TTL = (6 << 3) | 2;
const DATA_JSON = (7 << 3) | 2;
const MISSING_KEYS = (2 << 3) | 2;
const CORRUPT_KEYS = (3 << 3) | 2;

/** The message depth of `Session.data` in these responses: response 1, Session 2, Struct 3. */
const DATA_DEPTH = 3;

/** A Timestamp or Duration field: seconds and nanos, each left out at zero as proto3 leaves it. */
function writeTime(writer: WireWriter, tag: number, time: TimeInit): void {
  if (time === undefined) return;
  const start = writer.forkField(tag);
  if (time.seconds !== undefined && Number(time.seconds) !== 0) {
    writer.byte(FIELD_1_VARINT);
    writer.int64(time.seconds);
  }
  if (time.nanos) {
    writer.byte(FIELD_2_VARINT);
    writer.int32(time.nanos);
  }
  writer.join(start);
}

/** A Session field, its fields in number order as protobuf-es writes them (the oneof's members where they fall). */
function writeSession(writer: WireWriter, session: SessionInit): void {
  const start = writer.forkField(FIELD_1_LEN);
  if (session.key) {
    writer.byte(KEY);
    writer.string(session.key);
  }
  const content = session.content;
  if (content?.case === "data") writeStructField(writer, DATA, content.value, DATA_DEPTH);
  if (session.version) {
    writer.byte(VERSION);
    writer.int32(session.version);
  }
  writeTime(writer, CREATE_TIME, session.createTime);
  writeTime(writer, EXPIRE_TIME, session.expireTime);
  writeTime(writer, IDLE_TTL, session.idleTtl);
  if (content?.case === "dataJson") {
    writer.byte(DATA_JSON);
    writer.string(content.value);
  }
  writer.join(start);
}

function writeStrings(writer: WireWriter, tag: number, strings: readonly string[] | undefined): void {
  for (const text of strings ?? []) {
    writer.byte(tag);
    writer.string(text);
  }
}

/** Runs `write` on the shared writer and returns its bytes; the writer is reset whatever happens. */
function encoded(write: (writer: WireWriter) => void): Buffer {
  const writer = acquireWriter();
  try {
    write(writer);
  } catch (error) {
    writer.reset();
    throw error;
  }
  return writer.finish();
}

/**
 * GetSessionResponse and RotateSessionKeyResponse (`Session session = 1`), and the writes' responses (`SessionInfo
 * session = 1`): SessionInfo has Session's fields but the data, under the same numbers.
 */
const encodeSessionResponse = (response: { readonly session?: SessionInit }) =>
  encoded((writer) => {
    if (response.session !== undefined) writeSession(writer, response.session);
  });

const encodeBatchResponse = (response: MessageInitShape<typeof BatchGetSessionsResponseSchema>) =>
  encoded((writer) => {
    for (const session of response.sessions ?? []) writeSession(writer, session);
    writeStrings(writer, MISSING_KEYS, response.missingKeys);
    writeStrings(writer, CORRUPT_KEYS, response.corruptKeys);
  });

/** The hand-written encoders, by message type. */
export const SESSION_RESPONSE_ENCODERS: ReadonlyMap<DescMessage, (response: never) => Uint8Array> = new Map<
  DescMessage,
  (response: never) => Uint8Array
>([
  [GetSessionResponseSchema, encodeSessionResponse],
  [RotateSessionKeyResponseSchema, encodeSessionResponse],
  [CreateSessionResponseSchema, encodeSessionResponse],
  [SaveSessionResponseSchema, encodeSessionResponse],
  [TouchSessionResponseSchema, encodeSessionResponse],
  [BatchGetSessionsResponseSchema, encodeBatchResponse],
]);
