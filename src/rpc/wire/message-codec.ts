import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { requestWireFor, wireFor } from "./compiled-message.js";
import { fallbackReason } from "./fallback-reason.js";
import { WireDecodeError, WireDepthError } from "./wire-errors.js";
import { WireReader } from "./wire-reader.js";
import { acquireWriter } from "./wire-writer.js";

/**
 * The binary codec of one message type, compiled from its protobuf-es descriptor: what the gRPC method
 * definitions use to (de)serialize requests and responses. Its bytes and messages are those of protobuf-es's
 * `toBinary(schema, create(schema, value))` and `fromBinary(schema, bytes)`, without their cost: no message is
 * created to be encoded, Struct fields go straight between JSON and bytes, and each field is handled by a closure
 * built for it once.
 *
 * Where they differ, on purpose: unknown fields are skipped, not kept; a known field with the wrong wire type, or
 * a field running past its message, is an error; a leading U+FEFF in a string and a `"__proto__"` key in a Struct
 * are kept; a oneof whose case names none of its fields, or whose case is selected without a value, is an error
 * (protobuf-es writes nothing for the one, the member's zero value for the other). Types the compiler does not cover (see {@link MessageCodec.fallbackReason}) are left to protobuf-es.
 */
export interface MessageCodec<Desc extends DescMessage = DescMessage> {
  /** The message type. */
  readonly schema: Desc;
  /** Why protobuf-es does this type's work (a map field, proto2…), or undefined when it is compiled. */
  readonly fallbackReason: string | undefined;
  /**
   * The message's bytes, in a Buffer of its own.
   *
   * @param value - a message, or an init object: missing fields are their defaults, message fields may be
   *   messages or init objects (`JsonObject` for a Struct field), and a oneof is `{ case, value }` or unset.
   * @throws WireEncodeError for a value its field cannot hold (wrong type, out of range), a oneof case that is
   *   none of its fields, or data nested deeper than `MAX_MESSAGE_DEPTH`.
   */
  encode(value: MessageShape<Desc> | MessageInitShape<Desc>): Buffer;
  /**
   * The message in `bytes`.
   *
   * @throws WireDecodeError for bytes that are not a valid encoding of the type, whatever is wrong with them.
   */
  decode(bytes: Uint8Array): MessageShape<Desc>;
}

function decodeError(schema: DescMessage, error: unknown): WireDecodeError {
  const reason = error instanceof Error ? error.message : String(error);
  // Too deep stays told apart from malformed: the server answers them with different codes.
  const Type = error instanceof WireDepthError ? WireDepthError : WireDecodeError;
  return new Type(`cannot decode ${schema.typeName}: ${reason}`, { cause: error });
}

function fallbackCodec<Desc extends DescMessage>(schema: Desc, reason: string): MessageCodec<Desc> {
  return {
    schema,
    fallbackReason: reason,
    encode(value) {
      const bytes = toBinary(schema, create(schema, value as MessageInitShape<Desc>));
      // toBinary returns a fresh array: a Buffer over it copies nothing.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    decode(bytes) {
      try {
        return fromBinary(schema, bytes);
      } catch (error) {
        throw decodeError(schema, error);
      }
    },
  };
}

function compiledCodec<Desc extends DescMessage>(schema: Desc): MessageCodec<Desc> {
  const wire = wireFor(schema);
  return {
    schema,
    fallbackReason: undefined,
    encode(value) {
      const writer = acquireWriter();
      try {
        wire.write(writer, value, 1);
      } catch (error) {
        writer.reset();
        throw error;
      }
      return writer.finish();
    },
    decode(bytes) {
      try {
        return wire.read(new WireReader(bytes), 1, undefined) as MessageShape<Desc>;
      } catch (error) {
        throw decodeError(schema, error);
      }
    },
  };
}

const codecs = new WeakMap<DescMessage, MessageCodec>();

/**
 * The codec of `schema`, compiled on first use and cached: calling it again for the same type is a lookup.
 *
 * @example
 * const codec = compileCodec(GetSessionResponseSchema);
 * const bytes = codec.encode({ session: { key, data: { cart: [1, 2] } } });
 * codec.decode(bytes).session?.data; // { cart: [1, 2] }
 */
export function compileCodec<Desc extends DescMessage>(schema: Desc): MessageCodec<Desc> {
  const cached = codecs.get(schema);
  if (cached !== undefined) return cached as MessageCodec<Desc>;
  const reason = fallbackReason(schema);
  const codec = reason === undefined ? compiledCodec(schema) : fallbackCodec(schema, reason);
  codecs.set(schema, codec as MessageCodec);
  return codec;
}

const requestDecoders = new WeakMap<DescMessage, (bytes: Uint8Array) => MessageShape<DescMessage>>();

/**
 * How the server decodes requests of type `schema`: as {@link compileCodec}'s `decode`, except that the message's
 * own `google.protobuf.Struct` fields of at least `DEFER_MIN_BYTES` come out as `DeferredStruct`s (typed as their
 * `JsonObject`), their bytes not yet decoded, for the handler to check against its store's limits and then decode. Types the compiler leaves to
 * protobuf-es are decoded in full. Cached per type.
 *
 * @throws WireDecodeError as `decode` does, for the bytes it reads (a deferred Struct's are read when decoded).
 */
export function requestDecoder<Desc extends DescMessage>(
  schema: Desc,
): (bytes: Uint8Array) => MessageShape<Desc> {
  const cached = requestDecoders.get(schema);
  if (cached !== undefined) return cached as (bytes: Uint8Array) => MessageShape<Desc>;
  const codec = compileCodec(schema);
  const decode =
    codec.fallbackReason !== undefined
      ? codec.decode
      : (() => {
          const wire = requestWireFor(schema);
          return (bytes: Uint8Array) => {
            try {
              return wire.read(new WireReader(bytes), 1, undefined) as MessageShape<Desc>;
            } catch (error) {
              throw decodeError(schema, error);
            }
          };
        })();
  requestDecoders.set(schema, decode as (bytes: Uint8Array) => MessageShape<DescMessage>);
  return decode;
}
