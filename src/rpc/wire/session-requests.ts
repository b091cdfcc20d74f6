/**
 * The requests that carry session data (CreateSession and SaveSession), read by hand on the server and written by
 * hand on the client. protobuf-es would build a Struct message and a Value per field of the data (decoding a
 * SaveSession request 4 to 10 times slower, see bench/wire-codec.ts), and it drops a "__proto__" key and a leading
 * U+FEFF (see struct-reader.ts); setting the data aside and handing the rest to `fromBinary` made the throughput
 * bench's SaveSession request cost 5.2 µs to decode, against 3.3 µs read by hand.
 *
 * The data is set aside as it is read and decoded once the request's end is reached: on the server, data of at
 * least `DEFER_MIN_BYTES` is left undecoded (`DeferredStruct`) until its store's limits are known. Messages are read
 * as protobuf-es reads them (a Struct or Duration given twice merges, a oneof's last member wins, unknown fields are
 * skipped, not kept) and written with protobuf-es's bytes (fields in number order), which property tests check
 * (test/rpc/codec-equivalence.test.ts); a known field with another wire type than its own is refused.
 */
import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import type { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  CreateSessionRequestSchema,
  SaveSessionRequestSchema,
} from "../../../gen/redisession/v1/session_service_pb.js";
import { DEFER_MIN_BYTES, DeferredStruct } from "./deferred-struct.js";
import { decodeStruct } from "./struct-reader.js";
import { asBuffer, delimitedEnd, lengthTag, skipField, varintTag, wireReader } from "./struct-wire.js";
import { writeStructField } from "./struct-writer.js";
import { readTime, writeTime } from "./time-wire.js";
import { encodedBy } from "./wire-writer.js";

type CreateRequest = MessageShape<typeof CreateSessionRequestSchema>;
type SaveRequest = MessageShape<typeof SaveSessionRequestSchema>;
type Content = SaveRequest["content"];
type Duration = MessageShape<typeof DurationSchema>;

const CREATE = CreateSessionRequestSchema.field;
const CREATE_STORE = lengthTag(CREATE.store);
const CREATE_DATA = lengthTag(CREATE.data);
const CREATE_IDLE_TTL = lengthTag(CREATE.idleTtl);
const CREATE_REQUEST_ID = lengthTag(CREATE.requestId);
const CREATE_DATA_JSON = lengthTag(CREATE.dataJson);

const SAVE = SaveSessionRequestSchema.field;
const SAVE_STORE = lengthTag(SAVE.store);
const SAVE_KEY = lengthTag(SAVE.key);
const SAVE_DATA = lengthTag(SAVE.data);
const SAVE_IDLE_TTL = lengthTag(SAVE.idleTtl);
const SAVE_CONDITION = varintTag(SAVE.condition);
const SAVE_EXPECTED_VERSION = varintTag(SAVE.expectedVersion);
const SAVE_DATA_JSON = lengthTag(SAVE.dataJson);

/** The message depth of a request's data and idle TTL (the request is 1). */
const FIELD_DEPTH = 2;
const DURATION = "google.protobuf.Duration";

/**
 * Reads a request's bytes field by field, and keeps its `content` oneof as its members arrive: a Struct given again
 * merges (its parts' bytes concatenated, as protobuf merges them), a member after the other starts afresh, the last
 * one wins.
 */
class RequestReader {
  readonly reader: BinaryReader;
  private readonly bytes: Buffer;
  private structParts: Buffer[] = [];
  private json: string | undefined;

  constructor(
    bytes: Uint8Array,
    private readonly typeName: string,
    /** The highest field number of the request. */
    private readonly known: number,
  ) {
    this.bytes = asBuffer(bytes);
    this.reader = wireReader(this.bytes);
  }

  /** The next field's tag, or undefined at the end of the request. */
  nextTag(): number | undefined {
    return this.reader.pos < this.bytes.length ? this.reader.uint32() : undefined;
  }

  /** A string field's value. */
  string(): string {
    return this.reader.string(true);
  }

  /** An `idle_ttl` field's value, merged into `into` when the field came before. */
  idleTtl(into: Duration | undefined): Duration {
    return readTime(this.reader, delimitedEnd(this.reader, this.bytes.length), FIELD_DEPTH, DURATION, into);
  }

  /** A `data` field: its bytes are kept, not decoded. */
  data(): void {
    const end = delimitedEnd(this.reader, this.bytes.length);
    this.structParts.push(this.bytes.subarray(this.reader.pos, end));
    this.reader.pos = end;
    this.json = undefined;
  }

  /** A `data_json` field. */
  dataJson(): void {
    this.json = this.string();
    this.structParts = [];
  }

  /** A field the request does not have (or one it has, with another wire type: refused). */
  other(tag: number): void {
    skipField(this.reader, tag, this.known, this.typeName, 1);
  }

  /** The oneof's value; with `defer`, data of at least `DEFER_MIN_BYTES` as a `DeferredStruct`. */
  content(defer: boolean): Content {
    if (this.json !== undefined) return { case: "dataJson", value: this.json };
    const parts = this.structParts;
    if (parts.length === 0) return { case: undefined };
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const value =
      defer && bytes.length >= DEFER_MIN_BYTES
        ? new DeferredStruct(bytes, FIELD_DEPTH).asFieldValue()
        : decodeStruct(bytes, FIELD_DEPTH);
    return { case: "data", value };
  }
}

function decodeCreate(bytes: Uint8Array, defer: boolean): CreateRequest {
  const request = create(CreateSessionRequestSchema);
  const fields = new RequestReader(bytes, request.$typeName, CREATE.dataJson.number);
  for (let tag = fields.nextTag(); tag !== undefined; tag = fields.nextTag()) {
    if (tag === CREATE_STORE) request.store = fields.string();
    else if (tag === CREATE_DATA) fields.data();
    else if (tag === CREATE_IDLE_TTL) request.idleTtl = fields.idleTtl(request.idleTtl);
    else if (tag === CREATE_REQUEST_ID) request.requestId = fields.string();
    else if (tag === CREATE_DATA_JSON) fields.dataJson();
    else fields.other(tag);
  }
  request.content = fields.content(defer);
  return request;
}

function decodeSave(bytes: Uint8Array, defer: boolean): SaveRequest {
  const request = create(SaveSessionRequestSchema);
  const fields = new RequestReader(bytes, request.$typeName, SAVE.dataJson.number);
  for (let tag = fields.nextTag(); tag !== undefined; tag = fields.nextTag()) {
    if (tag === SAVE_STORE) request.store = fields.string();
    else if (tag === SAVE_KEY) request.key = fields.string();
    else if (tag === SAVE_DATA) fields.data();
    else if (tag === SAVE_IDLE_TTL) request.idleTtl = fields.idleTtl(request.idleTtl);
    else if (tag === SAVE_CONDITION) request.condition = fields.reader.int32();
    else if (tag === SAVE_EXPECTED_VERSION) request.expectedVersion = fields.reader.int32();
    else if (tag === SAVE_DATA_JSON) fields.dataJson();
    else fields.other(tag);
  }
  request.content = fields.content(defer);
  return request;
}

const encodeCreate = (request: MessageInitShape<typeof CreateSessionRequestSchema>) =>
  encodedBy((writer) => {
    const content = request.content;
    writer.stringField(CREATE_STORE, request.store);
    if (content?.case === "data") writeStructField(writer, CREATE_DATA, content.value, FIELD_DEPTH);
    writeTime(writer, CREATE_IDLE_TTL, request.idleTtl);
    writer.stringField(CREATE_REQUEST_ID, request.requestId);
    if (content?.case === "dataJson") writer.stringField(CREATE_DATA_JSON, content.value, true);
  });

const encodeSave = (request: MessageInitShape<typeof SaveSessionRequestSchema>) =>
  encodedBy((writer) => {
    const content = request.content;
    writer.stringField(SAVE_STORE, request.store);
    writer.stringField(SAVE_KEY, request.key);
    if (content?.case === "data") writeStructField(writer, SAVE_DATA, content.value, FIELD_DEPTH);
    writeTime(writer, SAVE_IDLE_TTL, request.idleTtl);
    writer.int32Field(SAVE_CONDITION, request.condition);
    writer.int32Field(SAVE_EXPECTED_VERSION, request.expectedVersion);
    if (content?.case === "dataJson") writer.stringField(SAVE_DATA_JSON, content.value, true);
  });

/** The hand-written encoders (the client's side), by message type. */
export const SESSION_REQUEST_ENCODERS: ReadonlyMap<DescMessage, (request: never) => Uint8Array> = new Map<
  DescMessage,
  (request: never) => Uint8Array
>([
  [CreateSessionRequestSchema, encodeCreate],
  [SaveSessionRequestSchema, encodeSave],
]);

/** The hand-written decoders (the server's side), by message type; `defer` as in `requestDecoder`. */
export const SESSION_REQUEST_DECODERS: ReadonlyMap<
  DescMessage,
  (bytes: Uint8Array, defer: boolean) => unknown
> = new Map<DescMessage, (bytes: Uint8Array, defer: boolean) => unknown>([
  [CreateSessionRequestSchema, decodeCreate],
  [SaveSessionRequestSchema, decodeSave],
]);
