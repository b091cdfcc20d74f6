/**
 * The messages that carry session data, other than the responses encoded by hand: Create and SaveSession requests
 * (a Struct field of their own) on both sides, and on the client's side the Session responses (a message field that
 * carries one). protobuf-es does every other field; the data goes through the service's Struct reader and writer.
 * protobuf-es would build a Struct message and a Value per field (decoding a SaveSession request 4 to 10 times
 * slower, see bench/wire-codec.ts), and it drops a "__proto__" key and a leading U+FEFF (see struct-reader.ts).
 *
 * Decoding reads the message's bytes once, field by field, without decoding them: the fields that carry data are
 * set aside, the other fields' bytes go to `fromBinary` as one message. The parts set aside are decoded after,
 * every occurrence of a field merged as protobuf merges a message field given twice (their bytes concatenated),
 * and the last member of a oneof on the wire winning.
 */
import {
  create,
  type DescField,
  type DescMessage,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { DEFER_MIN_BYTES, DeferredStruct } from "./deferred-struct.js";
import { EncodedStruct } from "./encoded-struct.js";
import { decodeStruct } from "./struct-reader.js";
import { delimitedEnd, STRUCT, wireReader } from "./struct-wire.js";
import { structBytes } from "./struct-writer.js";
import { WireDecodeError } from "./wire-errors.js";

type FieldRecord = Record<string, unknown>;

function isStructField(field: DescField): boolean {
  return field.fieldKind === "message" && field.message.typeName === STRUCT;
}

function messageOf(field: DescField): DescMessage | undefined {
  return field.fieldKind === "message" || field.fieldKind === "list" ? field.message : undefined;
}

/** Which fields of a type carry session data, and what each field of a oneof with such a member replaces. */
interface DataFields {
  /** The type's Struct fields, and its message fields (singular or repeated) whose type carries data. */
  readonly carrying: ReadonlyMap<number, DescField>;
  /** For each field of a oneof that has carrying members: those members (but itself), which it replaces. */
  readonly replaces: ReadonlyMap<number, readonly DescField[]>;
}

const plans = new WeakMap<DescMessage, DataFields>();

/** The fields of `schema` that carry session data (none for most types), found once per type. */
export function dataFieldsOf(schema: DescMessage, seen = new Set<DescMessage>()): DataFields {
  const known = plans.get(schema);
  if (known !== undefined) return known;
  seen.add(schema);
  const carrying = new Map<number, DescField>();
  for (const field of schema.fields) {
    const message = messageOf(field);
    if (message === undefined || seen.has(message)) continue;
    if (isStructField(field) || dataFieldsOf(message, seen).carrying.size > 0)
      carrying.set(field.number, field);
  }
  const replaces = new Map<number, DescField[]>();
  for (const oneof of schema.oneofs) {
    const members = oneof.fields.filter((field) => carrying.has(field.number));
    if (members.length === 0) continue;
    for (const field of oneof.fields)
      replaces.set(
        field.number,
        members.filter((member) => member !== field),
      );
  }
  const plan = { carrying, replaces };
  plans.set(schema, plan);
  return plan;
}

function joined(chunks: readonly Uint8Array[]): Buffer {
  const first = chunks[0] as Uint8Array;
  if (chunks.length === 1) return Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  return Buffer.concat(chunks);
}

/** A data-carrying field's value out of the bytes of its occurrences. */
function fieldValue(field: DescField, chunks: Uint8Array[], depth: number, defer: boolean): unknown {
  const message = messageOf(field) as DescMessage;
  if (field.fieldKind === "list") return chunks.map((chunk) => decodeCarrying(message, chunk, depth, false));
  const bytes = joined(chunks);
  if (!isStructField(field)) return decodeCarrying(message, bytes, depth, false);
  if (defer && bytes.length >= DEFER_MIN_BYTES) return new DeferredStruct(bytes, depth).asFieldValue();
  return decodeStruct(bytes, depth);
}

/**
 * A message of a type that carries session data (see {@link dataFieldsOf}), at message depth `depth`. With `defer`,
 * its own Struct fields of at least `DEFER_MIN_BYTES` are left as `DeferredStruct`s (see `deferred-struct.ts`).
 *
 * @throws WireDecodeError or whatever protobuf-es throws, for bytes that are not the type's.
 */
export function decodeCarrying<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  depth: number,
  defer: boolean,
): MessageShape<Desc> {
  const { carrying, replaces } = dataFieldsOf(schema);
  const reader = wireReader(bytes);
  const others: Uint8Array[] = [];
  const parts = new Map<DescField, Uint8Array[]>();
  let othersFrom = 0;
  while (reader.pos < bytes.length) {
    const start = reader.pos;
    const tag = reader.uint32();
    const number = tag >>> 3;
    for (const member of replaces.get(number) ?? []) parts.delete(member);
    const field = carrying.get(number);
    if (field === undefined) {
      reader.skip(tag & 7, number);
      continue;
    }
    if ((tag & 7) !== WireType.LengthDelimited) {
      throw new WireDecodeError(`field ${number} of ${schema.typeName} arrived with wire type ${tag & 7}`);
    }
    const end = delimitedEnd(reader, bytes.length);
    if (start > othersFrom) others.push(bytes.subarray(othersFrom, start));
    const chunk = bytes.subarray(reader.pos, end);
    const chunks = parts.get(field);
    if (chunks === undefined) parts.set(field, [chunk]);
    else chunks.push(chunk);
    reader.pos = othersFrom = end;
  }
  if (othersFrom < bytes.length) others.push(bytes.subarray(othersFrom));
  const rest = others.length === 0 ? new Uint8Array(0) : joined(others);
  const message = fromBinary(schema, rest, { readUnknownFields: false }) as FieldRecord;
  for (const [field, chunks] of parts) {
    const value = fieldValue(field, chunks, depth + 1, defer);
    if (field.oneof === undefined) message[field.localName] = value;
    else message[field.oneof.localName] = { case: field.localName, value };
  }
  return message as MessageShape<Desc>;
}

/**
 * A message with Struct fields of its own (Create and SaveSession requests): protobuf-es writes the others, the
 * transcoder the data (see `structBytes`), after them: fields may come in any order, the last of a oneof wins.
 */
export function encodeCarrying(schema: DescMessage, value: FieldRecord): Uint8Array {
  const others: FieldRecord = { ...value };
  const data: [number, unknown][] = [];
  for (const field of dataFieldsOf(schema).carrying.values()) {
    // Message fields that carry data are protobuf-es's to write: the responses around sessions have encoders of
    // their own (session-responses.ts).
    if (!isStructField(field)) continue;
    if (field.oneof === undefined) {
      if (value[field.localName] === undefined) continue;
      data.push([field.number, value[field.localName]]);
      others[field.localName] = undefined;
    } else {
      const oneof = value[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (oneof?.case !== field.localName) continue;
      data.push([field.number, oneof.value]);
      others[field.oneof.localName] = { case: undefined };
    }
  }
  const rest = toBinary(schema, create(schema, others));
  if (data.length === 0) return rest;
  const writer = new BinaryWriter().raw(rest);
  for (const [number, struct] of data) {
    writer
      .tag(number, WireType.LengthDelimited)
      .bytes(struct instanceof EncodedStruct ? struct.bytes : structBytes(struct, 2));
  }
  return writer.finish();
}
