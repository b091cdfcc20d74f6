import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence as Presence } from "@bufbuild/protobuf/wkt";
import { deferredStructWire } from "./deferred-struct.js";
import { fallbackReason } from "./fallback-reason.js";
import { fallbackWire } from "./fallback-wire.js";
import { type FieldDecoder, fieldDecoder } from "./field-decoders.js";
import { type FieldEncoder, fieldEncoder } from "./field-encoders.js";
import type { FieldRecord } from "./field-shape.js";
import { isJsonStructField, structWire } from "./json-struct.js";
import { checkReadDepth, checkWriteDepth, type MessageWire } from "./message-wire.js";
import { WireEncodeError } from "./wire-errors.js";
import type { WireReader } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * Message types compiled from their descriptors into tables of field closures, built once per type and cached.
 * Decoded messages are plain objects as protobuf-es makes them: `$typeName`, every implicit-presence field at its
 * zero value, lists empty, oneofs `{ case: undefined }`, message and `optional` fields undefined until read
 * (declared all the same, see `compile`).
 */

/** Field numbers up to this are looked up in an array; larger ones (rare) in a Map. */
const DENSE_FIELD_NUMBERS = 1024;

/** An unknown field kept by protobuf-es on a message it decoded, written back as it was (as toBinary does). */
interface UnknownField {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

/** The zero value of an implicit-presence scalar or enum field, or undefined for fields that start absent. */
function zeroValue(field: DescField): unknown {
  if (field.presence !== Presence.IMPLICIT) return undefined;
  if (field.fieldKind === "enum") return field.enum.values[0]?.number ?? 0;
  if (field.fieldKind !== "scalar") return undefined;
  switch (field.scalar) {
    case ScalarType.STRING:
      return "";
    case ScalarType.BOOL:
      return false;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return field.longAsString ? "0" : 0n;
    default:
      return 0;
  }
}

class CompiledMessage implements MessageWire {
  readonly typeName: string;
  /** In field number order, as protobuf-es writes them. */
  private encoders: FieldEncoder[] = [];
  private dense: (FieldDecoder | undefined)[] = [];
  private sparse = new Map<number, FieldDecoder>();
  /** `$typeName` and the zero values every new message starts with. */
  private template: FieldRecord;
  /**
   * Members whose zero value is a fresh object per message: lists, bytes (an empty Uint8Array), and oneofs
   * (`{ case: undefined }`, which protobuf-es lets callers mutate).
   */
  private freshLists: string[] = [];
  private freshBytes: string[] = [];
  private freshOneofs: string[] = [];

  constructor(private readonly schema: DescMessage) {
    this.typeName = schema.typeName;
    this.template = { $typeName: schema.typeName };
  }

  /** Fills the tables; separate from the constructor so that recursive types find themselves in the cache. */
  compile(wireOf: (field: DescField) => MessageWire): void {
    const sorted = [...this.schema.fields].sort((a, b) => a.number - b.number);
    this.encoders = sorted.map((field) => fieldEncoder(field, wireOf));
    for (const field of this.schema.fields) {
      const decoder = fieldDecoder(field, wireOf);
      if (field.number < DENSE_FIELD_NUMBERS) {
        while (this.dense.length <= field.number) this.dense.push(undefined);
        this.dense[field.number] = decoder;
      } else {
        this.sparse.set(field.number, decoder);
      }
    }
    // Standalone fields and oneofs (whose fields live in the oneof's property), in declaration order, as
    // protobuf-es adds them to a new message.
    for (const member of this.schema.members) {
      if (member.kind === "oneof") {
        this.freshOneofs.push(member.localName);
        this.template[member.localName] = undefined;
      } else if (member.fieldKind === "list") {
        this.freshLists.push(member.localName);
        this.template[member.localName] = undefined;
      } else if (
        member.fieldKind === "scalar" &&
        member.scalar === ScalarType.BYTES &&
        member.presence === Presence.IMPLICIT
      ) {
        this.freshBytes.push(member.localName);
        this.template[member.localName] = undefined;
      } else {
        // Fields that start absent are declared as undefined all the same: every message of the type then has
        // one shape from the start, and reading a field stores into a slot instead of adding a property (which
        // profiling showed to be the single largest cost of decoding). protobuf-es sees no difference: a
        // message field holding undefined is unset.
        this.template[member.localName] = zeroValue(member);
      }
    }
  }

  write(writer: WireWriter, value: unknown, depth: number): void {
    checkWriteDepth(depth, this.typeName);
    if (value === null || typeof value !== "object") {
      throw new WireEncodeError(`cannot encode ${this.typeName}: not an object`);
    }
    const message = value as FieldRecord;
    const encoders = this.encoders;
    for (let i = 0; i < encoders.length; i++) (encoders[i] as FieldEncoder)(writer, message, depth);
    const unknown = message.$unknown as readonly UnknownField[] | undefined;
    if (unknown !== undefined) {
      for (const { no, wireType, data } of unknown) {
        writer.uint32(((no << 3) | wireType) >>> 0);
        writer.raw(data);
      }
    }
  }

  /** A message with every field at its zero value. */
  private create(): FieldRecord {
    const message = { ...this.template };
    for (const name of this.freshLists) message[name] = [];
    for (const name of this.freshBytes) message[name] = new Uint8Array(0);
    for (const name of this.freshOneofs) message[name] = { case: undefined };
    return message;
  }

  read(reader: WireReader, depth: number, target: unknown): unknown {
    checkReadDepth(depth, this.typeName);
    const message = (target as FieldRecord | undefined) ?? this.create();
    const dense = this.dense;
    while (reader.pos < reader.limit) {
      const tag = reader.tag();
      const number = tag >>> 3;
      const decoder = number < dense.length ? dense[number] : this.sparse.get(number);
      if (decoder === undefined) reader.skip(tag, depth);
      else decoder(reader, message, tag, depth);
    }
    return message;
  }
}

const wires = new WeakMap<DescMessage, MessageWire>();
const requestWires = new WeakMap<DescMessage, MessageWire>();

/** The wire of a message-typed field's value: JSON for Struct fields, else that of the field's message type. */
function wireOfField(field: DescField): MessageWire {
  return isJsonStructField(messageOf(field).typeName, field.parent.typeName)
    ? structWire
    : wireFor(messageOf(field));
}

/** As {@link wireOfField}, but large Struct fields are read as `DeferredStruct`s (see {@link requestWireFor}). */
function wireOfRequestField(field: DescField): MessageWire {
  return isJsonStructField(messageOf(field).typeName, field.parent.typeName)
    ? deferredStructWire
    : wireFor(messageOf(field));
}

function messageOf(field: DescField): DescMessage {
  const message = field.fieldKind === "message" || field.fieldKind === "list" ? field.message : undefined;
  if (message === undefined) throw new Error(`${field.parent.typeName}.${field.name} holds no message`);
  return message;
}

function compiled(
  schema: DescMessage,
  cache: WeakMap<DescMessage, MessageWire>,
  wireOf: (field: DescField) => MessageWire,
): MessageWire {
  const cached = cache.get(schema);
  if (cached !== undefined) return cached;
  if (fallbackReason(schema) !== undefined) {
    const wire = fallbackWire(schema);
    cache.set(schema, wire);
    return wire;
  }
  const message = new CompiledMessage(schema);
  cache.set(schema, message);
  try {
    message.compile(wireOf);
  } catch (error) {
    cache.delete(schema);
    throw error;
  }
  return message;
}

/** The codec of `schema`: compiled when {@link fallbackReason} allows, protobuf-es otherwise. Cached per type. */
export function wireFor(schema: DescMessage): MessageWire {
  return compiled(schema, wires, wireOfField);
}

/**
 * As {@link wireFor}, but the message's own large Struct fields are read as `DeferredStruct`s, not decoded: what the
 * server reads requests with, so that data too large for its store is refused before it is decoded. Only the
 * message's own fields: nested messages are read as {@link wireFor} reads them.
 */
export function requestWireFor(schema: DescMessage): MessageWire {
  return compiled(schema, requestWires, wireOfRequestField);
}
