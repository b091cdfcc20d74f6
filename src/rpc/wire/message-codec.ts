/**
 * The binary codec of each message type, as the gRPC method definitions use it: protobuf-es's `toBinary` and
 * `fromBinary`, except for the messages that carry session data, written and read by hand around it
 * (`session-responses.ts`, `session-requests.ts`). Unknown fields are dropped, not kept.
 */
import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import { SESSION_REQUEST_DECODERS, SESSION_REQUEST_ENCODERS } from "./session-requests.js";
import { SESSION_RESPONSE_DECODERS, SESSION_RESPONSE_ENCODERS } from "./session-responses.js";
import { asBuffer } from "./struct-wire.js";
import { asDecodeError, WireDecodeError, WireDepthError, WireEncodeError } from "./wire-errors.js";

/** The binary codec of one message type. */
export interface MessageCodec<Desc extends DescMessage = DescMessage> {
  /** The message type. */
  readonly schema: Desc;
  /**
   * The message's bytes, in a Buffer of its own.
   *
   * @param value - a message, or an init object (`JsonObject` or `EncodedStruct` for a Struct field).
   * @throws WireEncodeError for a value its type cannot hold, or session data that has no JSON or nests deeper
   *   than `MAX_MESSAGE_DEPTH`.
   */
  encode(value: MessageShape<Desc> | MessageInitShape<Desc>): Buffer;
  /**
   * The message in `bytes`.
   *
   * @throws WireDecodeError for bytes that are not a valid encoding of the type (a WireDepthError for session data
   *   nested too deep).
   */
  decode(bytes: Uint8Array): MessageShape<Desc>;
}

function decodeError(schema: DescMessage, error: unknown): WireDecodeError {
  const cause = asDecodeError(error);
  // Too deep stays told apart from malformed: the server answers them with different codes. protobuf-es tells its
  // recursion limit (MAX_MESSAGE_DEPTH, too) only in its message; method-definitions.test.ts holds it to that.
  const tooDeep = cause instanceof WireDepthError || /maximum recursion depth/.test(cause.message);
  const Type = tooDeep ? WireDepthError : WireDecodeError;
  return new Type(`cannot decode ${schema.typeName}: ${cause.message}`, { cause: error });
}

/** The hand-written encoders and decoders, by message type; `defer` is only for requests. */
const ENCODERS = new Map([...SESSION_RESPONSE_ENCODERS, ...SESSION_REQUEST_ENCODERS]);
const DECODERS = new Map<DescMessage, (bytes: Uint8Array, defer: boolean) => unknown>([
  ...SESSION_RESPONSE_DECODERS,
  ...SESSION_REQUEST_DECODERS,
]);

function encoderOf(schema: DescMessage): (value: never) => Uint8Array {
  return (
    ENCODERS.get(schema) ??
    ((value) => toBinary(schema, create(schema, value as MessageInitShape<DescMessage>)))
  );
}

/**
 * A decoder of `schema`'s messages; with `defer`, the large data of a request is left undecoded (see
 * `deferred-struct.ts`).
 */
function decoderOf<Desc extends DescMessage>(
  schema: Desc,
  defer: boolean,
): (bytes: Uint8Array) => MessageShape<Desc> {
  const decode =
    DECODERS.get(schema) ?? ((bytes: Uint8Array) => fromBinary(schema, bytes, { readUnknownFields: false }));
  return (bytes) => {
    try {
      return decode(bytes, defer) as MessageShape<Desc>;
    } catch (error) {
      throw decodeError(schema, error);
    }
  };
}

const codecs = new WeakMap<DescMessage, MessageCodec>();

/**
 * The codec of `schema`, made on first use and cached.
 *
 * @example
 * const codec = messageCodec(GetSessionResponseSchema);
 * const bytes = codec.encode({ session: { key, content: { case: "data", value: { cart: [1, 2] } } } });
 * codec.decode(bytes).session?.content; // { case: "data", value: { cart: [1, 2] } }
 */
export function messageCodec<Desc extends DescMessage>(schema: Desc): MessageCodec<Desc> {
  const cached = codecs.get(schema);
  if (cached !== undefined) return cached as MessageCodec<Desc>;
  const encode = encoderOf(schema);
  const codec: MessageCodec<Desc> = {
    schema,
    encode(value) {
      let bytes: Uint8Array;
      try {
        bytes = encode(value as never);
      } catch (error) {
        if (error instanceof WireEncodeError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        // No cause: the log shows an error's cause in its place, and this one says all there is.
        throw new WireEncodeError(`cannot encode ${schema.typeName}: ${reason}`);
      }
      return asBuffer(bytes);
    },
    decode: decoderOf(schema, false),
  };
  codecs.set(schema, codec as unknown as MessageCodec);
  return codec;
}

/**
 * How the server decodes requests of type `schema`: as {@link messageCodec}'s `decode`, except that the message's
 * own Struct fields of at least `DEFER_MIN_BYTES` come out as `DeferredStruct`s (typed as their `JsonObject`), for
 * the handler to check against its store's limits and then decode.
 */
export function requestDecoder<Desc extends DescMessage>(
  schema: Desc,
): (bytes: Uint8Array) => MessageShape<Desc> {
  return decoderOf(schema, true);
}
