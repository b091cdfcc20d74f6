import { constants as bufferConstants } from "node:buffer";
import { assertMaxBytes, CodecError, type CodecName } from "./codec.js";

/** What a node:zlib convenience method returns when called with `info: true` (missing from @types/node). */
interface ZlibInfoResult {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}

/** The options {@link decompressWithZlib} passes to a node:zlib synchronous decompression method. */
interface ZlibDecompressOptions {
  readonly info: true;
  readonly maxOutputLength: number;
}

/**
 * Runs a node:zlib synchronous decompression method under the {@link Codec.decompress} contract.
 *
 * Shared by the gzip and brotli codecs, which only differ in the method they call.
 *
 * - The cap is zlib's own `maxOutputLength`, which is checked after every output chunk (16 KiB), so a bomb is
 *   stopped while inflating rather than after.
 * - Errors are classified by `code`, never by message: `ERR_BUFFER_TOO_LARGE` is the cap; any error raised by
 *   the zlib or brotli engine itself (those carry a numeric `errno`) means the input is not a valid stream.
 *   Anything else (a bad argument) is a bug in the caller and is rethrown untouched.
 * - `info: true` exposes the engine, whose `bytesWritten` is how much input was consumed. node:zlib silently
 *   ignores what follows a complete brotli stream and zero padding after a gzip member; a record is either exactly
 *   one stream or corrupt, so unconsumed input is `malformed`.
 */
export function decompressWithZlib(
  codec: CodecName,
  decompressSync: (input: Uint8Array, options: ZlibDecompressOptions) => unknown,
  input: Uint8Array,
  maxBytes: number,
): Buffer {
  assertMaxBytes(maxBytes);
  // zlib rejects maxOutputLength 0 and anything above the largest Buffer; the length check below restores the
  // exact cap for maxBytes 0, and no synchronous call can produce more than the largest Buffer anyway.
  const maxOutputLength = Math.min(Math.max(maxBytes, 1), bufferConstants.MAX_LENGTH);
  let result: ZlibInfoResult;
  try {
    // The typings do not model `info: true`, which changes the return value to `{ buffer, engine }`.
    result = decompressSync(input, { info: true, maxOutputLength }) as ZlibInfoResult;
  } catch (error) {
    throw classifyZlibError(codec, error, maxBytes);
  }
  if (result.buffer.length > maxBytes) {
    throw new CodecError(codec, "limit", `decompressed data exceeds the ${maxBytes}-byte limit`);
  }
  if (result.engine.bytesWritten !== input.length) {
    const trailing = input.length - result.engine.bytesWritten;
    throw new CodecError(
      codec,
      "malformed",
      `${trailing} bytes of trailing data after the compressed stream`,
    );
  }
  return result.buffer;
}

function classifyZlibError(codec: CodecName, error: unknown, maxBytes: number): unknown {
  if (!(error instanceof Error)) return error;
  const { code, errno } = error as NodeJS.ErrnoException;
  if (code === "ERR_BUFFER_TOO_LARGE") {
    return new CodecError(codec, "limit", `decompressed data exceeds the ${maxBytes}-byte limit`, {
      cause: error,
    });
  }
  if (typeof errno === "number") {
    return new CodecError(codec, "malformed", `invalid compressed stream (${code ?? errno})`, {
      cause: error,
    });
  }
  return error;
}
