/**
 * The failures of the service's own binary reading and writing (the session data paths, see `message-codec.ts`), as
 * classes callers can test with `instanceof`. Messages name the type and, for a field, its number; they never quote
 * the bytes or the values involved.
 */

/**
 * Bytes that are not a valid encoding of the expected message: a truncated varint, a length past the end, an
 * invalid or unexpected wire type, invalid UTF-8 in a string, or session data nested deeper than
 * {@link MAX_MESSAGE_DEPTH} (a {@link WireDepthError}). The server answers a request that fails to decode with
 * INTERNAL (a too deep one with INVALID_ARGUMENT); a client fails the call whose response fails to decode.
 */
export class WireDecodeError extends Error {
  override readonly name: string = "WireDecodeError";
}

/**
 * Session data nested deeper than {@link MAX_MESSAGE_DEPTH}: not necessarily malformed, but more than any decoder
 * here reads. The server answers a request refused for this with INVALID_ARGUMENT (it is the caller's data that is
 * too deep), not INTERNAL.
 */
export class WireDepthError extends WireDecodeError {
  override readonly name: string = "WireDepthError";
}

/**
 * A value that has no encoding in its field: a value of the wrong JavaScript type, data that is not JSON, or data
 * nested deeper than {@link MAX_MESSAGE_DEPTH} (which no decoder would accept).
 */
export class WireEncodeError extends Error {
  override readonly name = "WireEncodeError";
}

/**
 * How deeply messages may nest, the outermost counting as 1 and each `Struct`, `Value` and `ListValue` as one
 * level (so about 50 levels of nested JSON). It is protobuf-es's default recursion limit: the service's readers and
 * protobuf-es accept the same depths, whichever of them a peer uses.
 */
export const MAX_MESSAGE_DEPTH = 100;

/** `error` as a {@link WireDecodeError}: protobuf-es's reader throws plain Errors and RangeErrors. */
export function asDecodeError(error: unknown): WireDecodeError {
  if (error instanceof WireDecodeError) return error;
  return new WireDecodeError(error instanceof Error ? error.message : String(error), { cause: error });
}
