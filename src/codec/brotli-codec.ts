import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";
import { assertMaxBytes, type Codec, CodecError } from "./codec.js";
import { decompressWithZlib } from "./zlib-decompress.js";

/**
 * Brotli quality 5, the knee for session-sized JSON. Measured on JSON with repeated keys and random tokens, from
 * 0.5 to 16 KiB it wrote 6–14% fewer bytes than quality 2 at about twice the time (24–170 µs against 13–66 µs),
 * and smaller output than quality 4 at the same speed. Qualities 9–11 cost 25–200 times as much for a few percent
 * more. A rare 64 KiB session takes about 1 ms (3.6 times quality 2). Stores that are CPU-bound rather than
 * memory-bound should use zstd: 4–7 times faster, and within 1–10% of brotli's size above 2 KiB.
 */
const BROTLI_QUALITY = 5;

/**
 * The largest sliding window, in window bits, a stream may declare whatever the cap: 2^22 − 16 bytes (4 MiB),
 * brotli's default, which is what our encoder and other encoders at default settings write.
 *
 * Within one call the decoder may fill a ring buffer of the window's size before it hands any output over, so
 * node:zlib's `maxOutputLength` cannot stop it earlier: a bomb declaring the largest standard window (2^24) made
 * a read capped at 1 MiB touch about 20 MiB. A larger window is accepted only when the cap itself is that
 * large, keeping decoder memory proportional to the cap.
 */
const DEFAULT_MAX_WINDOW_BITS = 22;

/**
 * The window bits declared in the first byte of a brotli stream (RFC 7932, section 9.1), or `undefined` for the
 * reserved/large-window encoding, which node:zlib's decoder rejects on its own.
 */
function declaredWindowBits(firstByte: number): number | undefined {
  // Bits are read from the least significant end: 1 bit, then up to two 3-bit groups.
  if ((firstByte & 0b1) === 0) return 16;
  const high = (firstByte >> 1) & 0b111;
  if (high !== 0) return 17 + high;
  const low = (firstByte >> 4) & 0b111;
  if (low === 1) return undefined;
  return low === 0 ? 17 : 8 + low;
}

/**
 * The brotli codec (id 3): RFC 7932 via node:zlib; usually the smallest records of the built-in codecs.
 */
export const brotliCodec: Codec = {
  id: 3,
  name: "brotli",

  compress(input: Uint8Array): Buffer {
    return brotliCompressSync(input, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        // The hint lets the encoder size its hash tables for a few KiB rather than for the 4 MiB window.
        [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
      },
    });
  },

  decompress(input: Uint8Array, maxBytes: number): Buffer {
    assertMaxBytes(maxBytes);
    const windowBits = input[0] === undefined ? undefined : declaredWindowBits(input[0]);
    if (windowBits !== undefined && windowBits > DEFAULT_MAX_WINDOW_BITS && 2 ** windowBits - 16 > maxBytes) {
      throw new CodecError(
        "brotli",
        "limit",
        `stream declares a ${2 ** windowBits - 16}-byte window, more than the ${maxBytes}-byte limit allows`,
      );
    }
    return decompressWithZlib("brotli", brotliDecompressSync, input, maxBytes);
  },
};
