/**
 * The responses that carry sessions (GetSession, BatchGetSessions, RotateSessionKey), written and read by hand around
 * session data: the service's hottest path, and the client's. The server writes data already in wire form
 * (`EncodedStruct`, transcoded from the stored JSON) as it is, where protobuf-es's `toBinary` would first build a
 * Struct message and a Value per field, 20 to 30 times slower (bench/wire-codec.ts); it writes the writes' answers
 * (SessionInfo) as cheaply, where protobuf-es's `create` then `toBinary` cost 10 to 15% of a call's throughput. The
 * client reads the data with the service's Struct reader and the rest by hand: setting the data aside and handing
 * the rest to `fromBinary` (as `struct-lifting.ts` does for requests) cost twice the reading itself.
 *
 * Field numbers are those of `proto/redisession/v1/session_service.proto`. The bytes written are protobuf-es's, and
 * the messages read are protobuf-es's for the same bytes (a Session, Timestamp or Duration given twice merges, a
 * oneof's last member wins, unknown fields are skipped, not kept), which property tests check for random sessions
 * (test/rpc/codec-equivalence.test.ts). Where bytes are malformed, a known field with another wire type than its
 * own is refused here (protobuf-es reads it as its own type anyway).
 */
import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import type { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  BatchGetSessionsResponseSchema,
  CreateSessionResponseSchema,
  GetSessionResponseSchema,
  RotateSessionKeyResponseSchema,
  SaveSessionResponseSchema,
  type SessionSchema,
  TouchSessionResponseSchema,
} from "../../../gen/redisession/v1/session_service_pb.js";
import { readStruct } from "./struct-reader.js";
import { checkReadDepth, delimitedEnd, ended, skipField, wireReader } from "./struct-wire.js";
import { writeStructField } from "./struct-writer.js";
import { acquireWriter, type WireWriter } from "./wire-writer.js";

type SessionInit = MessageInitShape<typeof SessionSchema>;
type Session = MessageShape<typeof SessionSchema>;
type Time = MessageShape<typeof TimestampSchema> | MessageShape<typeof DurationSchema>;
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

/** The message depth of a Session in these responses (the response is 1), and of its data and times. */
const SESSION_DEPTH = 2;
const DATA_DEPTH = 3;

const SESSION = "redisession.v1.Session";
const TIMESTAMP = "google.protobuf.Timestamp";
const DURATION = "google.protobuf.Duration";

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

/** A Timestamp or Duration (`typeName`) up to `end`, merged into `into` when the field came before. */
function readTime<T extends Time>(reader: BinaryReader, end: number, typeName: T["$typeName"], into?: T): T {
  checkReadDepth(DATA_DEPTH, typeName);
  const time = into ?? ({ $typeName: typeName, seconds: 0n, nanos: 0 } as T);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === FIELD_1_VARINT) time.seconds = reader.int64() as bigint;
    else if (tag === FIELD_2_VARINT) time.nanos = reader.int32();
    else skipField(reader, tag, 2, typeName, DATA_DEPTH);
  }
  ended(reader, end);
  return time;
}

/** A Session up to `end`, merged into `into` when the field came before. */
function readSession(reader: BinaryReader, end: number, into: Session | undefined): Session {
  checkReadDepth(SESSION_DEPTH, SESSION);
  const session =
    into ?? ({ $typeName: SESSION, key: "", content: { case: undefined }, version: 0 } as Session);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === KEY) {
      session.key = reader.string(true);
    } else if (tag === DATA) {
      const before = session.content.case === "data" ? session.content.value : undefined;
      const value = readStruct(reader, delimitedEnd(reader, end), DATA_DEPTH, before);
      session.content = { case: "data", value };
    } else if (tag === VERSION) {
      session.version = reader.int32();
    } else if (tag === CREATE_TIME) {
      session.createTime = readTime(reader, delimitedEnd(reader, end), TIMESTAMP, session.createTime);
    } else if (tag === EXPIRE_TIME) {
      session.expireTime = readTime(reader, delimitedEnd(reader, end), TIMESTAMP, session.expireTime);
    } else if (tag === IDLE_TTL) {
      session.idleTtl = readTime(reader, delimitedEnd(reader, end), DURATION, session.idleTtl);
    } else if (tag === DATA_JSON) {
      session.content = { case: "dataJson", value: reader.string(true) };
    } else {
      skipField(reader, tag, 7, SESSION, SESSION_DEPTH);
    }
  }
  ended(reader, end);
  return session;
}

/** GetSessionResponse and RotateSessionKeyResponse: `Session session = 1`. */
const decodeSessionResponse =
  (schema: typeof GetSessionResponseSchema | typeof RotateSessionKeyResponseSchema) =>
  (bytes: Uint8Array) => {
    const reader = wireReader(bytes);
    const response = create(schema);
    while (reader.pos < bytes.length) {
      const tag = reader.uint32();
      if (tag !== FIELD_1_LEN) skipField(reader, tag, 1, schema.typeName, 1);
      else response.session = readSession(reader, delimitedEnd(reader, bytes.length), response.session);
    }
    return response;
  };

function decodeBatchResponse(bytes: Uint8Array): MessageShape<typeof BatchGetSessionsResponseSchema> {
  const reader = wireReader(bytes);
  const response = create(BatchGetSessionsResponseSchema);
  while (reader.pos < bytes.length) {
    const tag = reader.uint32();
    if (tag === FIELD_1_LEN)
      response.sessions.push(readSession(reader, delimitedEnd(reader, bytes.length), undefined));
    else if (tag === MISSING_KEYS) response.missingKeys.push(reader.string(true));
    else if (tag === CORRUPT_KEYS) response.corruptKeys.push(reader.string(true));
    else skipField(reader, tag, 3, BatchGetSessionsResponseSchema.typeName, 1);
  }
  return response;
}

/** The hand-written decoders, by message type (the client's side: the server never reads these). */
export const SESSION_RESPONSE_DECODERS: ReadonlyMap<DescMessage, (bytes: Uint8Array) => unknown> = new Map<
  DescMessage,
  (bytes: Uint8Array) => unknown
>([
  [GetSessionResponseSchema, decodeSessionResponse(GetSessionResponseSchema)],
  [RotateSessionKeyResponseSchema, decodeSessionResponse(RotateSessionKeyResponseSchema)],
  [BatchGetSessionsResponseSchema, decodeBatchResponse],
]);
