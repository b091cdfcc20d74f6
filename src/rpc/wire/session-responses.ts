/**
 * The responses that carry sessions (GetSession, BatchGetSessions, RotateSessionKey), written and read by hand around
 * session data: the service's hottest path, and the client's. The server writes data already in wire form
 * (`EncodedStruct`, transcoded from the stored JSON) as it is, where protobuf-es's `toBinary` would first build a
 * Struct message and a Value per field, 20 to 30 times slower (bench/wire-codec.ts); it writes the writes' answers
 * (SessionInfo) as cheaply, where protobuf-es's `create` then `toBinary` cost 10 to 15% of a call's throughput. The
 * client reads the data with the service's Struct reader and the rest by hand: handing the rest to `fromBinary`
 * cost twice the reading itself.
 *
 * The bytes written are protobuf-es's, and the messages read are protobuf-es's for the same bytes (a Session,
 * Timestamp or Duration given twice merges, a oneof's last member wins, unknown fields are skipped, not kept), which
 * property tests check for random sessions (test/rpc/codec-equivalence.test.ts, session-codec.test.ts). Where bytes
 * are malformed, a known field with another wire type than its own is refused here (protobuf-es reads it as its
 * own type anyway).
 */
import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  BatchGetSessionsResponseSchema,
  CreateSessionResponseSchema,
  GetSessionResponseSchema,
  RotateSessionKeyResponseSchema,
  SaveSessionResponseSchema,
  SessionSchema,
  TouchSessionResponseSchema,
} from "../../../gen/redisession/v1/session_service_pb.js";
import { readStruct } from "./struct-reader.js";
import {
  checkReadDepth,
  delimitedEnd,
  ended,
  lengthTag,
  skipField,
  varintTag,
  wireReader,
} from "./struct-wire.js";
import { writeStructField } from "./struct-writer.js";
import { readTime, writeTime } from "./time-wire.js";
import { encodedBy, type WireWriter } from "./wire-writer.js";

type SessionInit = MessageInitShape<typeof SessionSchema>;
type Session = MessageShape<typeof SessionSchema>;

const SESSION = SessionSchema.field;
const KEY = lengthTag(SESSION.key);
const DATA = lengthTag(SESSION.data);
const VERSION = varintTag(SESSION.version);
const CREATE_TIME = lengthTag(SESSION.createTime);
const EXPIRE_TIME = lengthTag(SESSION.expireTime);
const IDLE_TTL = lengthTag(SESSION.idleTtl);
const DATA_JSON = lengthTag(SESSION.dataJson);

/** `session = 1` in GetSession, RotateSessionKey and the writes' responses (SessionInfo has Session's numbers). */
const RESPONSE_SESSION = lengthTag(GetSessionResponseSchema.field.session);
const BATCH = BatchGetSessionsResponseSchema.field;
const BATCH_SESSIONS = lengthTag(BATCH.sessions);
const MISSING_KEYS = lengthTag(BATCH.missingKeys);
const CORRUPT_KEYS = lengthTag(BATCH.corruptKeys);

/** The message depth of a Session in these responses (the response is 1). */
const SESSION_DEPTH = 2;

const TIMESTAMP = "google.protobuf.Timestamp";
const DURATION = "google.protobuf.Duration";

/** A Session's fields at message depth `depth`, in number order as protobuf-es writes them (the oneof's too). */
function writeSessionFields(writer: WireWriter, session: SessionInit, depth: number): void {
  const content = session.content;
  writer.stringField(KEY, session.key);
  if (content?.case === "data") writeStructField(writer, DATA, content.value, depth + 1);
  writer.int32Field(VERSION, session.version);
  writeTime(writer, CREATE_TIME, session.createTime);
  writeTime(writer, EXPIRE_TIME, session.expireTime);
  writeTime(writer, IDLE_TTL, session.idleTtl);
  if (content?.case === "dataJson") writer.stringField(DATA_JSON, content.value, true);
}

/** A Session field of a response. */
function writeSession(writer: WireWriter, tag: number, session: SessionInit): void {
  const start = writer.forkField(tag);
  writeSessionFields(writer, session, SESSION_DEPTH);
  writer.join(start);
}

/** GetSessionResponse, RotateSessionKeyResponse and the writes' responses: one Session or SessionInfo. */
const encodeSessionResponse = (response: { readonly session?: SessionInit }) =>
  encodedBy((writer) => {
    if (response.session !== undefined) writeSession(writer, RESPONSE_SESSION, response.session);
  });

const encodeBatchResponse = (response: MessageInitShape<typeof BatchGetSessionsResponseSchema>) =>
  encodedBy((writer) => {
    for (const session of response.sessions ?? []) writeSession(writer, BATCH_SESSIONS, session);
    // Repeated strings are written even when empty.
    for (const key of response.missingKeys ?? []) writer.stringField(MISSING_KEYS, key, true);
    for (const key of response.corruptKeys ?? []) writer.stringField(CORRUPT_KEYS, key, true);
  });

/** A Session up to `end`, at message depth `depth`, merged into `into` when the field came before. */
function readSession(reader: BinaryReader, end: number, depth: number, into: Session | undefined): Session {
  checkReadDepth(depth, SessionSchema.typeName);
  const session = into ?? create(SessionSchema);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === KEY) {
      session.key = reader.string(true);
    } else if (tag === DATA) {
      const before = session.content.case === "data" ? session.content.value : undefined;
      const value = readStruct(reader, delimitedEnd(reader, end), depth + 1, before);
      session.content = { case: "data", value };
    } else if (tag === VERSION) {
      session.version = reader.int32();
    } else if (tag === CREATE_TIME) {
      const timeEnd = delimitedEnd(reader, end);
      session.createTime = readTime(reader, timeEnd, depth + 1, TIMESTAMP, session.createTime);
    } else if (tag === EXPIRE_TIME) {
      const timeEnd = delimitedEnd(reader, end);
      session.expireTime = readTime(reader, timeEnd, depth + 1, TIMESTAMP, session.expireTime);
    } else if (tag === IDLE_TTL) {
      session.idleTtl = readTime(reader, delimitedEnd(reader, end), depth + 1, DURATION, session.idleTtl);
    } else if (tag === DATA_JSON) {
      session.content = { case: "dataJson", value: reader.string(true) };
    } else {
      skipField(reader, tag, SESSION.dataJson.number, SessionSchema.typeName, depth);
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
      if (tag !== RESPONSE_SESSION) skipField(reader, tag, 1, schema.typeName, 1);
      else
        response.session = readSession(
          reader,
          delimitedEnd(reader, bytes.length),
          SESSION_DEPTH,
          response.session,
        );
    }
    return response;
  };

function decodeBatchResponse(bytes: Uint8Array): MessageShape<typeof BatchGetSessionsResponseSchema> {
  const reader = wireReader(bytes);
  const response = create(BatchGetSessionsResponseSchema);
  while (reader.pos < bytes.length) {
    const tag = reader.uint32();
    if (tag === BATCH_SESSIONS)
      response.sessions.push(
        readSession(reader, delimitedEnd(reader, bytes.length), SESSION_DEPTH, undefined),
      );
    else if (tag === MISSING_KEYS) response.missingKeys.push(reader.string(true));
    else if (tag === CORRUPT_KEYS) response.corruptKeys.push(reader.string(true));
    else skipField(reader, tag, BATCH.corruptKeys.number, BatchGetSessionsResponseSchema.typeName, 1);
  }
  return response;
}

/** A Session on its own (not sent by itself, but a unit tests and tools use). */
const encodeSession = (session: SessionInit) => encodedBy((writer) => writeSessionFields(writer, session, 1));
const decodeSession = (bytes: Uint8Array) => readSession(wireReader(bytes), bytes.length, 1, undefined);

/** The hand-written encoders (the server's side), by message type. */
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
  [SessionSchema, encodeSession],
]);

/** The hand-written decoders (the client's side), by message type. */
export const SESSION_RESPONSE_DECODERS: ReadonlyMap<DescMessage, (bytes: Uint8Array) => unknown> = new Map<
  DescMessage,
  (bytes: Uint8Array) => unknown
>([
  [GetSessionResponseSchema, decodeSessionResponse(GetSessionResponseSchema)],
  [RotateSessionKeyResponseSchema, decodeSessionResponse(RotateSessionKeyResponseSchema)],
  [BatchGetSessionsResponseSchema, decodeBatchResponse],
  [SessionSchema, decodeSession],
]);
