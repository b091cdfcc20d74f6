/**
 * What every zstd codec shares: the frame settings they write and the bounded decoder they read with. The `zstd`
 * codec uses plain contexts; `zstd-dict` uses contexts with a dictionary loaded, and otherwise the same code, so
 * each safety property below holds for both.
 *
 * @module
 */
// zstd-napi ships CommonJS without an `exports` map: ESM needs the explicit `.js`, and only the default import
// works at run time (the binding's names are not statically detectable, so named imports come back undefined).
import zstd from "zstd-napi/binding.js";
import { assertMaxBytes, CodecError, type CodecName } from "./codec.js";

/**
 * zstd level 3, the library default. Payloads are JSON session blobs written on every request: from 0.5 to
 * 64 KiB level 3 took 7–142 µs, and levels 6 and up took 1.5–5 times as long for no consistent gain. Level 1 was
 * about 25% faster and, on our synthetic token-heavy JSON, no larger; level 3 stays because it is what other
 * zstd writers sharing the store default to and it generally compresses more repetitive text better.
 */
export const COMPRESSION_LEVEL = 3;

/**
 * Largest window (2^23 = 8 MiB) a frame may ask the decoder to keep, instead of zstd's default 2^27 (128 MiB).
 *
 * RFC 8878 recommends that decoders support windows of at least 8 MiB, so frames from any encoder at ordinary
 * settings (including other languages writing into the same store) still decode. Complete frames that declare a
 * content size within the cap never reach this check: they decode straight into the output buffer. The window
 * buffer is allocated but only written as output is produced, and we stop producing at `maxBytes + 1`, so the
 * memory actually touched stays near the cap even for a frame that claims the full window.
 */
const WINDOW_LOG_MAX = 23;

/**
 * Output chunk size for frames that do not declare their content size. Small enough that overshooting the cap by
 * a chunk is harmless, large enough that typical sessions (< 64 KiB) finish in one native call.
 */
const STREAM_CHUNK_BYTES = 64 * 1024;

/** Scratch space for compression; inputs up to this size compress without a fresh `compressBound` buffer. */
const SCRATCH_INPUT_BYTES = 64 * 1024;

/** Room in the scratch buffer for bytes a codec writes ahead of the frame (`zstd-dict`'s dictionary id). */
const SCRATCH_HEADROOM_BYTES = 16;

// One scratch buffer for the whole process. The binding is synchronous and Node runs JavaScript on one thread, so
// no two compressions can interleave on it, and every result is copied out before `compressFrame` returns.
let scratch: Buffer | undefined;

/**
 * A compression context writing the frames every zstd codec stores: level 3, a content size in the header (which
 * lets the reader size its output exactly), and a checksum.
 *
 * With `dictionary`, zstd digests it into a prepared dictionary (its CDict) on the first frame and reuses that for
 * every later one, so a context must be created once per dictionary and kept. The frame then omits zstd's own
 * dictionary id (`dictIDFlag` 0), since the `zstd-dict` payload already names its dictionary ahead of the frame.
 * zstd-napi's `CCtx.compressUsingCDict` would take a separately prepared CDict, but it writes frames without a
 * checksum and cannot be told otherwise, so the dictionary is loaded into the context instead.
 */
export function createCompressionContext(dictionary?: Uint8Array): zstd.CCtx {
  const context = new zstd.CCtx();
  // Use the binding's run-time enum objects, never literal numbers: binding.d.ts declares these enums as
  // 0, 1, 2… while the native values are zstd's (compressionLevel is 100, windowLogMax is 100, sessionOnly is 1).
  context.setParameter(zstd.CParameter.compressionLevel, COMPRESSION_LEVEL);
  // The 4-byte checksum turns a corrupted record into a `malformed` error instead of wrong session data.
  context.setParameter(zstd.CParameter.checksumFlag, 1);
  if (dictionary !== undefined) {
    // Parameters first: zstd refuses most parameter changes once a dictionary is attached.
    context.setParameter(zstd.CParameter.dictIDFlag, 0);
    context.loadDictionary(dictionary);
  }
  return context;
}

/**
 * A decompression context with the window limit of {@link decompressFrames}.
 *
 * With `dictionary`, zstd prepares it once (a DDict owned by the context) and uses it for every frame the context
 * decodes. zstd-napi's standalone `DDict` could only be used by the one-shot `decompressUsingDDict`, which needs
 * the whole output buffer up front and so cannot stop a frame that hides its size at the cap; the streaming
 * decoder below can, so the dictionary lives in the context.
 */
export function createDecompressionContext(dictionary?: Uint8Array): zstd.DCtx {
  const context = new zstd.DCtx();
  context.setParameter(zstd.DParameter.windowLogMax, WINDOW_LOG_MAX);
  if (dictionary !== undefined) context.loadDictionary(dictionary);
  return context;
}

/**
 * One frame of `input`, compressed with `context` (see {@link createCompressionContext}), returned in a buffer of
 * its own with `headroom` bytes (at most 16) left before the frame for the caller to fill.
 */
export function compressFrame(context: zstd.CCtx, input: Uint8Array, headroom = 0): Buffer {
  if (!Number.isInteger(headroom) || headroom < 0 || headroom > SCRATCH_HEADROOM_BYTES) {
    throw new RangeError(`headroom must be an integer from 0 to ${SCRATCH_HEADROOM_BYTES}, got ${headroom}`);
  }
  let output: Buffer;
  if (input.length <= SCRATCH_INPUT_BYTES) {
    scratch ??= Buffer.allocUnsafe(SCRATCH_HEADROOM_BYTES + zstd.compressBound(SCRATCH_INPUT_BYTES));
    output = scratch;
  } else {
    output = Buffer.allocUnsafe(headroom + zstd.compressBound(input.length));
  }
  // compress2 resets the context's session before and after each frame, so an earlier call cannot leak state
  // (a loaded dictionary is a parameter and stays); it also writes the content size into the header.
  const length = headroom + context.compress2(output.subarray(headroom), input);
  // Copy out of the scratch buffer (the next call overwrites it) and out of a mostly empty one (a 200 KiB
  // buffer holding 2 KiB of frame would otherwise stay pinned for as long as the caller keeps the result).
  if (output === scratch || length < output.length * 0.75) return Buffer.from(output.subarray(0, length));
  return output.subarray(0, length);
}

/**
 * The content of the zstd frames in `input`, decoded with `context` (see {@link createDecompressionContext}),
 * refusing to produce more than `maxBytes` bytes; errors name `codec`.
 *
 * Deliberately avoids zstd-napi's high-level `decompress()`, which trusts the content size in the frame header and
 * allocates it up front: a 19-byte forged header could make it allocate gigabytes. Instead it drives the streaming
 * decoder into bounded output chunks and counts every byte produced.
 *
 * @throws {CodecError} `limit` past `maxBytes`, `malformed` for anything that is not whole, valid frames.
 */
export function decompressFrames(
  codec: CodecName,
  context: zstd.DCtx,
  input: Uint8Array,
  maxBytes: number,
): Buffer {
  assertMaxBytes(maxBytes);
  // A previous call may have thrown mid-frame; start clean but keep the window limit and any dictionary.
  context.reset(zstd.ResetDirective.sessionOnly);

  if (input.length === 0) throw malformed(codec, "empty input");

  const chunks: Buffer[] = [];
  let total = 0;
  let src = input;
  let atFrameStart = true;
  let exactChunk = false;

  for (;;) {
    let chunkBytes = STREAM_CHUNK_BYTES;
    if (atFrameStart) {
      // Refuse on the header's word before doing any work. When the size is declared and fits, an output
      // buffer of exactly that size lets zstd decode the whole frame in one pass with no window buffer.
      const declared = declaredContentSize(codec, src);
      if (declared !== null) {
        if (declared > maxBytes - total) throw tooLarge(codec, maxBytes);
        chunkBytes = declared;
      }
    }
    // Never offer more room than one byte past the cap: producing that byte is how an overrun is detected,
    // and it bounds what a lying or undeclared frame can make us allocate.
    const dst = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, maxBytes - total + 1)));

    let remainingHint: number;
    let produced: number;
    let consumed: number;
    try {
      [remainingHint, produced, consumed] = context.decompressStream(dst, src);
    } catch (error) {
      // The binding throws plain Errors carrying only zstd's error name (no code): corrupt blocks, checksum
      // mismatch, unknown magic, a window above WINDOW_LOG_MAX, a frame larger than it declared, or one made
      // with another dictionary.
      const reason = error instanceof Error ? error.message : String(error);
      throw malformed(codec, `corrupt or unsupported frame (${reason})`, error);
    }

    total += produced;
    if (total > maxBytes) throw tooLarge(codec, maxBytes);
    if (produced > 0) {
      exactChunk = produced === dst.length;
      chunks.push(exactChunk ? dst : dst.subarray(0, produced));
    }
    src = src.subarray(consumed);

    if (remainingHint === 0) {
      // The frame is complete and fully flushed. Anything left must be another whole frame; the header check
      // at the top of the loop turns trailing garbage into `malformed`.
      if (src.length === 0) break;
      atFrameStart = true;
    } else {
      atFrameStart = false;
      // zstd wants more input but there is none, and it did not stop merely because `dst` was full.
      if (src.length === 0 && produced < dst.length) throw malformed(codec, "truncated frame");
      // Progress is guaranteed while there is input and room; bail out rather than spin if that ever breaks.
      if (produced === 0 && consumed === 0) throw malformed(codec, "decoder made no progress");
    }
  }

  // The common case, one frame with a declared size, produced exactly one full chunk: return it without a copy.
  const [only] = chunks;
  if (chunks.length === 1 && exactChunk && only !== undefined) return only;
  return Buffer.concat(chunks, total);
}

function malformed(codec: CodecName, message: string, cause?: unknown): CodecError {
  return new CodecError(codec, "malformed", message, cause === undefined ? undefined : { cause });
}

function tooLarge(codec: CodecName, maxBytes: number): CodecError {
  return new CodecError(codec, "limit", `decompressed data exceeds the ${maxBytes}-byte limit`);
}

/**
 * The content size declared by the frame header at the start of `src`, or `null` when the frame does not say.
 * The binding reports unparseable headers (garbage, truncation, trailing junk after a frame) by throwing.
 */
function declaredContentSize(codec: CodecName, src: Uint8Array): number | null {
  try {
    return zstd.getFrameContentSize(src);
  } catch (error) {
    throw malformed(codec, "invalid frame header", error);
  }
}
