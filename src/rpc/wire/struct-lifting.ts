/**
 * The messages with Struct fields of their own (Create and SaveSession requests), on both sides: protobuf-es does
 * every other field; the data goes through the service's Struct reader and writer. protobuf-es would build a Struct
 * message and a Value per field (decoding a SaveSession request 4 to 10 times slower, see bench/wire-codec.ts), and
 * it drops a "__proto__" key and a leading U+FEFF (see struct-reader.ts). The responses around sessions have
 * readers and writers of their own (`session-responses.ts`).
 *
 * Decoding reads the message's bytes once, field by field, without decoding them: the Struct fields are set aside,
 * the other fields' bytes go to `fromBinary` as one message. The parts set aside are decoded after, every occurrence
 * of a field merged as protobuf merges a message field given twice (their bytes concatenated), and the last member
 * of a oneof on the wire winning.
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

/** A type's Struct fields, and what each field of a oneof with a Struct member replaces. */
interface StructFields {
  /** The Struct fields, by number. */
  readonly structs: ReadonlyMap<number, DescField>;
  /** For each field of a oneof that has Struct members: those members (but itself), which it replaces. */
  readonly replaces: ReadonlyMap<number, readonly DescField[]>;
}

const plans = new WeakMap<DescMessage, StructFields>();

/** The Struct fields of `schema` (none for most types), found once per type. */
function structFieldsOf(schema: DescMessage): StructFields {
  const known = plans.get(schema);
  if (known !== undefined) return known;
  const structs = new Map<number, DescField>();
  for (const field of schema.fields) {
    if (field.fieldKind === "message" && field.message.typeName === STRUCT) structs.set(field.number, field);
  }
  const replaces = new Map<number, DescField[]>();
  for (const oneof of schema.oneofs) {
    const members = oneof.fields.filter((field) => structs.has(field.number));
    if (members.length === 0) continue;
    for (const field of oneof.fields)
      replaces.set(
        field.number,
        members.filter((member) => member !== field),
      );
  }
  const plan = { structs, replaces };
  plans.set(schema, plan);
  return plan;
}

/** Whether `schema` has Struct fields of its own, which this module's codec reads and writes. */
export function hasStructFields(schema: DescMessage): boolean {
  return structFieldsOf(schema).structs.size > 0;
}

function joined(chunks: readonly Uint8Array[]): Buffer {
  const first = chunks[0] as Uint8Array;
  if (chunks.length === 1) return Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  return Buffer.concat(chunks);
}

/**
 * A top-level message of a type with Struct fields (see {@link hasStructFields}). With `defer`, its Struct fields of
 * at least `DEFER_MIN_BYTES` are left as `DeferredStruct`s (see `deferred-struct.ts`).
 *
 * @throws WireDecodeError or whatever protobuf-es throws, for bytes that are not the type's.
 */
export function decodeCarrying<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
  defer: boolean,
): MessageShape<Desc> {
  const { structs, replaces } = structFieldsOf(schema);
  const reader = wireReader(bytes);
  const others: Uint8Array[] = [];
  const parts = new Map<DescField, Uint8Array[]>();
  let othersFrom = 0;
  while (reader.pos < bytes.length) {
    const start = reader.pos;
    const tag = reader.uint32();
    const number = tag >>> 3;
    for (const member of replaces.get(number) ?? []) parts.delete(member);
    const field = structs.get(number);
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
    // A Struct field of a top-level message is at message depth 2.
    const data = joined(chunks);
    const value =
      defer && data.length >= DEFER_MIN_BYTES
        ? new DeferredStruct(data, 2).asFieldValue()
        : decodeStruct(data, 2);
    if (field.oneof === undefined) message[field.localName] = value;
    else message[field.oneof.localName] = { case: field.localName, value };
  }
  return message as MessageShape<Desc>;
}

/**
 * A message with Struct fields of its own: protobuf-es writes the others, the transcoder the data (see
 * `structBytes`), after them: fields may come in any order, the last of a oneof wins.
 */
export function encodeCarrying(schema: DescMessage, value: FieldRecord): Uint8Array {
  const others: FieldRecord = { ...value };
  const data: [number, unknown][] = [];
  for (const field of structFieldsOf(schema).structs.values()) {
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
