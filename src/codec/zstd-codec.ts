// zstd-napi ships CommonJS without an `exports` map: ESM needs the explicit `.js`, and only the default import
// works at run time (the binding's names are not statically detectable, so named imports come back undefined).
import zstd from "zstd-napi/binding.js";
import { assertMaxBytes, type Codec, CodecError } from "./codec.js";

/**
 * zstd level 3, the library default. Payloads are JSON session blobs written on every request: from 0.5 to
 * 64 KiB level 3 took 7–142 µs, and levels 6 and up took 1.5–5 times as long for no consistent gain. Level 1 was
 * about 25% faster and, on our synthetic token-heavy JSON, no larger; level 3 stays because it is what other
 * zstd writers sharing the store default to and it generally compresses more repetitive text better.
 */
const COMPRESSION_LEVEL = 3;

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

// One context of each kind for the whole process. The binding is synchronous and Node runs JavaScript on one
// thread, so no two calls can interleave on a context; reusing them avoids allocating zstd's internal tables
// (hundreds of KiB) on every session write. They are created lazily so importing the codec costs nothing.
let cctx: zstd.CCtx | undefined;
let dctx: zstd.DCtx | undefined;
let scratch: Buffer | undefined;

function compressionContext(): zstd.CCtx {
  if (cctx === undefined) {
    cctx = new zstd.CCtx();
    // Use the binding's run-time enum objects, never literal numbers: binding.d.ts declares these enums as
    // 0, 1, 2… while the native values are zstd's (compressionLevel is 100, windowLogMax is 100, sessionOnly is 1).
    cctx.setParameter(zstd.CParameter.compressionLevel, COMPRESSION_LEVEL);
    // The 4-byte checksum turns a corrupted record into a `malformed` error instead of wrong session data.
    cctx.setParameter(zstd.CParameter.checksumFlag, 1);
  }
  return cctx;
}

function decompressionContext(): zstd.DCtx {
  if (dctx === undefined) {
    dctx = new zstd.DCtx();
    dctx.setParameter(zstd.DParameter.windowLogMax, WINDOW_LOG_MAX);
  }
  return dctx;
}

function malformed(message: string, cause?: unknown): CodecError {
  return new CodecError("zstd", "malformed", message, cause === undefined ? undefined : { cause });
}

function tooLarge(maxBytes: number): CodecError {
  return new CodecError("zstd", "limit", `decompressed data exceeds the ${maxBytes}-byte limit`);
}

/**
 * The content size declared by the frame header at the start of `src`, or `null` when the frame does not say.
 * The binding reports unparseable headers (garbage, truncation, trailing junk after a frame) by throwing.
 */
function declaredContentSize(src: Uint8Array): number | null {
  try {
    return zstd.getFrameContentSize(src);
  } catch (error) {
    throw malformed("invalid frame header", error);
  }
}

/**
 * The zstd codec (id 1): fast and the best ratio per CPU cycle of the built-in codecs.
 *
 * Decompression deliberately avoids zstd-napi's high-level `decompress()`, which trusts the content size in the
 * frame header and allocates it up front: a 19-byte forged header could make it allocate gigabytes. Instead it
 * drives the streaming decoder into bounded output chunks and counts every byte produced.
 */
export const zstdCodec: Codec = {
  id: 1,
  name: "zstd",

  compress(input: Uint8Array): Buffer {
    const context = compressionContext();
    let output: Buffer;
    if (input.length <= SCRATCH_INPUT_BYTES) {
      scratch ??= Buffer.allocUnsafe(zstd.compressBound(SCRATCH_INPUT_BYTES));
      output = scratch;
    } else {
      output = Buffer.allocUnsafe(zstd.compressBound(input.length));
    }
    // compress2 resets the context's session before and after each frame, so an earlier call cannot leak state;
    // it also writes the content size into the header, which lets decompress() size its output exactly.
    const length = context.compress2(output, input);
    // Copy out of the scratch buffer (the next call overwrites it) and out of a mostly empty one (a 200 KiB
    // buffer holding 2 KiB of frame would otherwise stay pinned for as long as the caller keeps the result).
    if (output === scratch || length < output.length * 0.75) return Buffer.from(output.subarray(0, length));
    return output.subarray(0, length);
  },

  decompress(input: Uint8Array, maxBytes: number): Buffer {
    assertMaxBytes(maxBytes);
    const context = decompressionContext();
    // A previous call may have thrown mid-frame; start clean but keep the window limit (a parameter).
    context.reset(zstd.ResetDirective.sessionOnly);

    if (input.length === 0) throw malformed("empty input");

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
        const declared = declaredContentSize(src);
        if (declared !== null) {
          if (declared > maxBytes - total) throw tooLarge(maxBytes);
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
        // mismatch, unknown magic, a window above WINDOW_LOG_MAX, or a frame larger than it declared.
        const reason = error instanceof Error ? error.message : String(error);
        throw malformed(`corrupt or unsupported frame (${reason})`, error);
      }

      total += produced;
      if (total > maxBytes) throw tooLarge(maxBytes);
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
        if (src.length === 0 && produced < dst.length) throw malformed("truncated frame");
        // Progress is guaranteed while there is input and room; bail out rather than spin if that ever breaks.
        if (produced === 0 && consumed === 0) throw malformed("decoder made no progress");
      }
    }

    // The common case, one frame with a declared size, produced exactly one full chunk: return it without a copy.
    const [only] = chunks;
    if (chunks.length === 1 && exactChunk && only !== undefined) return only;
    return Buffer.concat(chunks, total);
  },
};
