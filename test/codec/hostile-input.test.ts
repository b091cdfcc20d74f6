// Decompression bombs and forged headers against every compressing codec, with peak memory measured.
//
// This file must stay on its own: peak RSS is a per-process high-water mark, and vitest (`pool: "forks"`) runs
// each test file in a fresh process, so nothing else raises the mark between a baseline and a measurement.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type BrotliOptions, createBrotliCompress, createGzip, constants as zlibConstants } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import zstdNapi from "zstd-napi";
import zstd from "zstd-napi/binding.js";
import {
  brotliCodec,
  CodecError,
  type CodecErrorReason,
  gzipCodec,
  zstdCodec,
} from "../../src/codec/index.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The cap every hostile input is decompressed under. */
const CAP = 1 * MiB;
/** Allowed peak RSS growth while refusing one: the cap plus room for chunks, contexts and allocator slack. */
const BUDGET_KIB = (CAP + 16 * MiB) / KiB;

/** One zeroed MiB, fed repeatedly to the compressors so that no test ever holds a bomb's expanded form. */
const ZERO_MIB = Buffer.alloc(MiB);

/**
 * A zstd frame built by hand per RFC 8878 (section 3.1.1): a header declaring a window of 2^`windowLog` bytes
 * and, optionally, a content size, then `blocks` RLE blocks of 128 KiB zeros (4 bytes each). Valid as far as
 * it goes; it declares whatever it is told to, which is the point.
 */
function handMadeZstdFrame(options: { windowLog: number; declaredSize?: number; blocks: number }): Buffer {
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

/** A zstd frame of `bytes` zeros, compressed a MiB at a time with the streaming API. */
function zstdBomb(bytes: number, options: { declareSize: boolean }): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, 1);
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
async function zlibBomb(bytes: number, compressor: NodeJS.ReadWriteStream): Promise<Buffer> {
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

function brotliBomb(bytes: number, windowBits: number): Promise<Buffer> {
  // Quality 1 builds the bomb in milliseconds with little memory; the ratio (≈5000:1) is plenty.
  const options: BrotliOptions = {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1, [zlibConstants.BROTLI_PARAM_LGWIN]: windowBits },
  };
  return zlibBomb(bytes, createBrotliCompress(options));
}

interface Measurement {
  /** What the call threw (undefined if it returned). */
  readonly thrown: unknown;
  /** `process.resourceUsage().maxRSS` right before the call, in KiB. */
  readonly baselineMaxRssKiB: number;
  /** Current RSS right before the call, in KiB. */
  readonly rssBeforeKiB: number;
  /** `process.resourceUsage().maxRSS` right after the call, in KiB. */
  readonly peakKiB: number;
  /**
   * Peak growth, in KiB: the new high-water mark above the current RSS before the call. Measuring from the
   * current RSS rather than the previous high-water mark matters: if the process once peaked higher (while
   * building a bomb, say), growth below that old peak would not show in maxRSS at all and the test could not
   * fail. From the current RSS, any growth shows (plus any old headroom, which can only make the test stricter).
   */
  readonly growthKiB: number;
}

const measurements: Record<string, Measurement> = {};

/** Runs `decode` once, recording what it threw and how far it raised the process's peak RSS. */
function measure(label: string, decode: () => unknown): Measurement {
  const rssBeforeKiB = Math.round(process.memoryUsage.rss() / KiB);
  const baselineMaxRssKiB = process.resourceUsage().maxRSS;
  let thrown: unknown;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  const peakKiB = process.resourceUsage().maxRSS;
  const measurement = { thrown, baselineMaxRssKiB, rssBeforeKiB, peakKiB, growthKiB: peakKiB - rssBeforeKiB };
  measurements[label] = measurement;
  return measurement;
}

/** Asserts the call was refused for `reason` while peak RSS stayed within the budget. */
function expectRefusedWithinBudget(measurement: Measurement, reason: CodecErrorReason): void {
  expect(measurement.thrown).toBeInstanceOf(CodecError);
  expect(measurement.thrown).toMatchObject({ reason });
  expect(measurement.growthKiB).toBeLessThanOrEqual(BUDGET_KIB);
}

/** Placeholder for the bombs built in `beforeAll`. */
const NOT_BUILT: Buffer = Buffer.alloc(0);

const bombs = {
  // 18 bytes declaring 3 GiB: a decoder that trusts the header allocates 3 GiB up front.
  forgedZstd: handMadeZstdFrame({ windowLog: 20, declaredSize: 3 * GiB, blocks: 1 }),
  // Hand-made rather than compressed: a compressor with an 8 MiB (or 128 MiB) window would itself fill that much
  // memory while building them, and the garbage collector would free it in the middle of the measurements.
  zstdMaxWindow: handMadeZstdFrame({ windowLog: 23, blocks: 512 }),
  zstdHugeWindow: handMadeZstdFrame({ windowLog: 27, blocks: 32 }),
  zstdDeclared: NOT_BUILT,
  zstdUndeclared: NOT_BUILT,
  zstdSanity: NOT_BUILT,
  gzip: NOT_BUILT,
  brotli: NOT_BUILT,
  brotliWideWindow: NOT_BUILT,
};

// Set CODEC_BOMB_REPORT=1 to print the bomb sizes and every measurement (KiB).
afterAll(() => {
  if (process.env.CODEC_BOMB_REPORT) console.table(measurements);
});

// Build every bomb first, so that whatever memory the compressors use is spent before any baseline is taken.
beforeAll(async () => {
  bombs.zstdDeclared = zstdBomb(512 * MiB, { declareSize: true });
  bombs.zstdUndeclared = zstdBomb(512 * MiB, { declareSize: false });
  bombs.zstdSanity = zstdBomb(64 * MiB, { declareSize: true });
  bombs.gzip = await zlibBomb(128 * MiB, createGzip({ level: 9 }));
  bombs.brotli = await brotliBomb(128 * MiB, 22);
  bombs.brotliWideWindow = await brotliBomb(128 * MiB, 24);
  if (process.env.CODEC_BOMB_REPORT) {
    console.table(Object.fromEntries(Object.entries(bombs).map(([name, bomb]) => [name, bomb.length])));
  }
});

describe(`hostile input under a ${CAP / MiB} MiB cap`, () => {
  it("zstd: refuses a forged 18-byte header declaring 3 GiB without allocating it", () => {
    expect(bombs.forgedZstd).toHaveLength(18);
    expect(zstd.getFrameContentSize(bombs.forgedZstd)).toBe(3 * GiB);
    expect(zstd.findFrameCompressedSize(bombs.forgedZstd)).toBe(18); // a complete frame as far as zstd can tell
    expectRefusedWithinBudget(
      measure("zstd forged 3 GiB header", () => zstdCodec.decompress(bombs.forgedZstd, CAP)),
      "limit",
    );
  });

  it("zstd: refuses a real 512 MiB bomb that declares its size, from the header alone", () => {
    expect(zstd.getFrameContentSize(bombs.zstdDeclared)).toBe(512 * MiB);
    expectRefusedWithinBudget(
      measure("zstd 512 MiB declared", () => zstdCodec.decompress(bombs.zstdDeclared, CAP)),
      "limit",
    );
  });

  it("zstd: stops a real 512 MiB bomb that hides its size once output passes the cap", () => {
    expect(zstd.getFrameContentSize(bombs.zstdUndeclared)).toBeNull();
    expectRefusedWithinBudget(
      measure("zstd 512 MiB undeclared", () => zstdCodec.decompress(bombs.zstdUndeclared, CAP)),
      "limit",
    );
  });

  it("zstd: stays within budget for a 64 MiB bomb using the largest accepted window (8 MiB)", () => {
    expect(zstd.getFrameContentSize(bombs.zstdMaxWindow)).toBeNull();
    expectRefusedWithinBudget(
      measure("zstd 64 MiB, 8 MiB window", () => zstdCodec.decompress(bombs.zstdMaxWindow, CAP)),
      "limit",
    );
  });

  it("zstd: refuses a frame asking for a 128 MiB window (above the decoder's limit)", () => {
    // zstd-napi reports zstd errors by name only, so a refused window is `malformed`, not `limit`.
    expectRefusedWithinBudget(
      measure("zstd 128 MiB window", () => zstdCodec.decompress(bombs.zstdHugeWindow, CAP)),
      "malformed",
    );
  });

  it("gzip: stops a 128 MiB bomb once output passes the cap", () => {
    expectRefusedWithinBudget(
      measure("gzip 128 MiB", () => gzipCodec.decompress(bombs.gzip, CAP)),
      "limit",
    );
  });

  it("brotli: stops a 128 MiB bomb with the default 4 MiB window once output passes the cap", () => {
    expectRefusedWithinBudget(
      measure("brotli 128 MiB", () => brotliCodec.decompress(bombs.brotli, CAP)),
      "limit",
    );
  });

  it("brotli: refuses a 128 MiB bomb declaring a 16 MiB window before decoding", () => {
    expectRefusedWithinBudget(
      measure("brotli 128 MiB, 16 MiB window", () => brotliCodec.decompress(bombs.brotliWideWindow, CAP)),
      "limit",
    );
  });

  // Proof that the budget assertions above can fail: zstd-napi's own decompress() trusts the declared 64 MiB and
  // fills a buffer that size, and the same measurement must see it. This must stay the last test in the file,
  // because it raises the process's high-water mark for good.
  it("sanity: the naive zstd-napi decompress() of a 64 MiB bomb blows the same budget", () => {
    const naive = measure("naive zstd-napi decompress() of 64 MiB", () =>
      zstdNapi.decompress(bombs.zstdSanity),
    );
    expect(naive.thrown).toBeUndefined();
    expect(naive.growthKiB).toBeGreaterThan(BUDGET_KIB);
  });
});
