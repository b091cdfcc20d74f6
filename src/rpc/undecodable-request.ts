import { MAX_MESSAGE_DEPTH, WireDepthError } from "./wire/wire-errors.js";

/**
 * A request nests messages deeper than the wire codec reads (MAX_MESSAGE_DEPTH): in practice, session data nested
 * far deeper than any store accepts. The caller's data is at fault, so it is answered INVALID_ARGUMENT, like data
 * a store refuses for its `maxDataDepth`. Nothing was read or written.
 */
export class RequestTooDeepError extends Error {
  override readonly name = "RequestTooDeepError";
  /** The most messages a request may nest. */
  readonly maxMessageDepth = MAX_MESSAGE_DEPTH;

  constructor(options?: ErrorOptions) {
    super(
      `request nests deeper than ${MAX_MESSAGE_DEPTH} protobuf messages: session data nests objects and lists far deeper than any store accepts (see its maxDataDepth)`,
      options,
    );
  }
}

/**
 * Request bytes that are not an encoding of the method's request message. Answered INTERNAL, as gRPC's status
 * code table has it for a request that cannot be parsed (and as grpc-js itself would). Nothing was read or written.
 */
export class MalformedRequestError extends Error {
  override readonly name = "MalformedRequestError";

  constructor(options?: ErrorOptions) {
    super("request message cannot be decoded", options);
  }
}

/**
 * What a server method's deserializer hands over in place of a request it cannot decode. grpc-js answers a
 * deserializer that throws with INTERNAL on its own, before any handler or metric sees the call; this marker
 * reaches the handler wrapper instead (`bindService`), which answers {@link error} through the same failure path
 * as every other call: mapped to its status in one place, counted, logged.
 */
export class UndecodableRequest {
  constructor(readonly error: RequestTooDeepError | MalformedRequestError) {}
}

/**
 * Why a request, or a part of it decoded later (a `DeferredStruct`), cannot be decoded: too deep, or anything else
 * (the codec reports every failure as a `WireDecodeError`; whatever it is, the cause goes to the log).
 */
export function undecodableBecause(error: unknown): RequestTooDeepError | MalformedRequestError {
  return error instanceof WireDepthError
    ? new RequestTooDeepError({ cause: error })
    : new MalformedRequestError({ cause: error });
}

/** `decode(bytes)`, or an {@link UndecodableRequest} saying why it failed (see {@link undecodableBecause}). */
export function decodeRequest<M>(decode: (bytes: Buffer) => M, bytes: Buffer): M | UndecodableRequest {
  try {
    return decode(bytes);
  } catch (error) {
    return new UndecodableRequest(undecodableBecause(error));
  }
}
