import type { DescMessage, DescMethod, MessageInitShape } from "@bufbuild/protobuf";
import { messageCodec } from "../rpc/wire/message-codec.js";
import { ResponseTooLargeError } from "./call-errors.js";

/** A method's responses to their bytes, which the method definition's response serializer passes on as they are. */
export type ResponseEncoder = (response: MessageInitShape<DescMessage>) => Buffer;

/**
 * The encoder of `method`'s responses, for the handler wrapper (`bindService`). Responses are encoded there, before
 * grpc-js is handed them, rather than by grpc-js' serializer: a serializer that throws (or a message over the size
 * limit) makes grpc-js send INTERNAL (or RESOURCE_EXHAUSTED) on its own after the handler has succeeded, so the
 * call would be counted OK and never logged. Encoded first, such a failure goes through the wrapper's failure path
 * like any other. A frozen response (a handler's constant answer) is encoded once and its bytes reused: grpc-js
 * copies them into its frames and never writes to them.
 *
 * @param maxBytes - the largest response the server sends (`grpc.max_send_message_length`). Default: no limit.
 * @throws WireEncodeError for a response that has no encoding; {@link ResponseTooLargeError} over `maxBytes`.
 */
export function responseEncoder(method: DescMethod, maxBytes = Number.POSITIVE_INFINITY): ResponseEncoder {
  const codec = messageCodec(method.output);
  // A frozen response cannot change: its bytes are made once (Health.Check answers one of a few such).
  const constants = new WeakMap<object, Buffer>();
  return (response) => {
    const frozen = Object.isFrozen(response);
    let bytes = frozen ? constants.get(response) : undefined;
    if (bytes === undefined) {
      bytes = codec.encode(response);
      if (frozen) constants.set(response, bytes);
    }
    if (bytes.byteLength > maxBytes) throw new ResponseTooLargeError(bytes.byteLength, maxBytes);
    return bytes;
  };
}
