/**
 * Decompression bombs for the hostile-input tests, built without ever holding their expanded form: real ones
 * are fed to streaming compressors a MiB of zeros at a time, and the rest are zstd frames written by hand.
 *
 * Only the bomb lab (a process of its own, see `bomb-lab.ts`) builds the big ones, so their cost never shows up
 * in a test worker.
 *
 * @module
 */
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type BrotliOptions, createBrotliCompress, constants as zlibConstants } from "node:zlib";
import zstd from "zstd-napi/binding.js";

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** One zeroed MiB, fed repeatedly to the compressors so that nothing ever holds a bomb's expanded form. */
const ZERO_MIB = Buffer.alloc(MiB);

/**
 * A zstd frame built by hand per RFC 8878 (section 3.1.1): a header declaring a window of 2^`windowLog` bytes
 * and, optionally, a content size, then `blocks` RLE blocks of 128 KiB zeros (4 bytes each). Valid as far as
 * it goes; it declares whatever it is told to, which is the point.
 */
export function handMadeZstdFrame(options: {
  windowLog: number;
  declaredSize?: number;
  blocks: number;
}): Buffer {
  const sizeField = options.declaredSize === undefined ? 0 : 8;
  const frame = Buffer.alloc(6 + sizeField + options.blocks * 4);
  frame.writeUInt32LE(0xfd2fb528, 0); // Magic_Number
  // Frame_Header_Descriptor: FCS_Field_Size flag 3 (8 bytes) or 0 (absent, since not single-segment); no
  // checksum, no dictionary.
  frame[4] = sizeField === 8 ? 0b1100_0000 : 0;
  frame[5] = (options.windowLog - 10) << 3; // Window_Descriptor: exponent, mantissa 0
  if (options.declaredSize !== undefined) frame.writeBigUInt64LE(BigInt(options.declaredSize), 6);
  for (let block = 0; block < options.blocks; block++) {
    const last = block === options.blocks - 1 ? 1 : 0;
    // Block_Header, 3 bytes little-endian: Last_Block, Block_Type 1 (RLE), Block_Size 128 KiB; then the RLE
    // byte, left 0.
    frame.writeUIntLE(((128 * KiB) << 3) | (1 << 1) | last, 6 + sizeField + block * 4, 3);
  }
  return frame;
}

/**
 * A zstd frame of `bytes` zeros, compressed a MiB at a time with the streaming API; with `dictionary`, compressed
 * with it, as a `zstd-dict` payload's frame is.
 */
export function zstdBomb(bytes: number, options: { declareSize: boolean; dictionary?: Uint8Array }): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, 1);
  if (options.dictionary !== undefined) {
    cctx.setParameter(zstd.CParameter.dictIDFlag, 0);
    cctx.loadDictionary(options.dictionary);
  }
  // Pledging the size puts it in the frame header; without the pledge zstd cannot know it.
  if (options.declareSize) cctx.setPledgedSrcSize(bytes);
  const out: Buffer[] = [];
  const feed = (src: Uint8Array, directive: zstd.EndDirective): void => {
    for (;;) {
      const dst = Buffer.allocUnsafe(zstd.cStreamOutSize());
      const [remaining, produced, consumed] = cctx.compressStream2(dst, src, directive);
      if (produced > 0) out.push(Buffer.from(dst.subarray(0, produced)));
      src = src.subarray(consumed);
      if (directive === zstd.EndDirective.end ? remaining === 0 : src.length === 0) return;
    }
  };
  for (let fed = 0; fed < bytes; fed += MiB) feed(ZERO_MIB, zstd.EndDirective.continue);
  feed(new Uint8Array(0), zstd.EndDirective.end);
  return Buffer.concat(out);
}

/** `bytes` zeros through a node:zlib compression stream, a MiB at a time. */
export async function zlibBomb(bytes: number, compressor: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(
      (function* () {
        for (let fed = 0; fed < bytes; fed += MiB) yield ZERO_MIB;
      })(),
    ),
    compressor,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

/** `bytes` zeros through brotli with a window of 2^`windowBits` bytes, which the frame header declares. */
export function brotliBomb(bytes: number, windowBits: number): Promise<Buffer> {
  // Quality 1 builds the bomb in milliseconds with little memory; the ratio (≈5000:1) is plenty.
  const options: BrotliOptions = {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1, [zlibConstants.BROTLI_PARAM_LGWIN]: windowBits },
  };
  return zlibBomb(bytes, createBrotliCompress(options));
}

/** `frame` as a `zstd-dict` payload: the 4-byte dictionary id ahead of it. */
export function dictionaryPayload(dictionaryId: number, frame: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(dictionaryId);
  return Buffer.concat([head, frame]);
}
