import type { DescMessage, DescMethod, DescService, MessageShape } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { decodeRequest } from "./undecodable-request.js";
import { messageCodec, requestDecoder } from "./wire/message-codec.js";

/**
 * The bridge between protobuf-es descriptors and grpc-js: everything grpc-js needs to serve or call a method —
 * its path and its (de)serializers — is read from the generated descriptor, so adding an RPC to the proto adds it
 * to the server and the client with no code written per method. (De)serialization is `wire/message-codec.ts`'s:
 * protobuf-es, with paths of its own for the messages that carry session data; its serializers take messages and
 * init objects alike.
 */

/** Any message of any type, as grpc-js sees it. */
export type AnyMessage = MessageShape<DescMessage>;

/** The request message type of a method descriptor. */
export type InputOf<M> = M extends { readonly input: infer I extends DescMessage } ? I : never;

/** The response message type of a method descriptor. */
export type OutputOf<M> = M extends { readonly output: infer O extends DescMessage } ? O : never;

/** The HTTP/2 path of a method: `/<package>.<Service>/<Method>`. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/**
 * The grpc-js definition of one method: its path, its streaming shape and its binary (de)serializers. The
 * serializers accept a message or an init object of the method's type.
 *
 * On the server's side: the request deserializer never throws (grpc-js would answer INTERNAL itself, unseen by
 * the handler wrapper, its metrics and its log): for bytes it cannot decode it returns an `UndecodableRequest`,
 * which the wrapper answers. With `deferLargeStructs` it leaves large Struct fields of the request undecoded (see
 * {@link DefinitionOptions}). The response serializer takes a Buffer as the response's bytes, already encoded: the
 * wrapper encodes each response itself, so that one that cannot be encoded fails through its own path too. On the
 * client's side the response deserializer throws a `WireDecodeError` for malformed bytes.
 */
export function methodDefinition(
  method: DescMethod,
  options: DefinitionOptions = {},
): MethodDefinition<AnyMessage, AnyMessage> {
  const input = messageCodec(method.input);
  const decodeInput = options.deferLargeStructs
    ? requestDecoder(method.input)
    : (bytes: Uint8Array) => input.decode(bytes);
  const output = messageCodec(method.output);
  return {
    path: methodPath(method),
    originalName: method.localName,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (message) => input.encode(message),
    requestDeserialize: (bytes) => decodeRequest(decodeInput, bytes) as AnyMessage,
    responseSerialize: (message) => (Buffer.isBuffer(message) ? message : output.encode(message)),
    responseDeserialize: (bytes) => output.decode(bytes),
  };
}

/** How a server's definitions read requests. */
export interface DefinitionOptions {
  /**
   * Leave a request's own `google.protobuf.Struct` fields of at least `DEFER_MIN_BYTES` undecoded, as
   * `DeferredStruct`s typed as the field's `JsonObject` (see `requestDecoder`): for handlers that know to decode
   * them, once they know the data may fit its store. Default: false, every field decoded.
   */
  readonly deferLargeStructs?: boolean;
}

/** The grpc-js service definition of a protobuf-es service, keyed by each method's `localName`. */
export function serviceDefinition(service: DescService, options: DefinitionOptions = {}): ServiceDefinition {
  return Object.fromEntries(
    service.methods.map((method) => [method.localName, methodDefinition(method, options)]),
  );
}
