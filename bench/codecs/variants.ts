/**
 * The codec settings compared. Shipped rows call the codec objects from src/codec exactly as the store does;
 * the other rows change only the level, keep the shipped frame options (zstd's checksum, brotli's size hint)
 * and decompress through the shipped codec, since that is what would read them back.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { Compressor } from "zstd-napi";
import type { Codec, CodecName } from "../../src/codec/codec.js";
import { codecByName } from "../../src/codec/codec-registry.js";

/** The store's default `maxSessionBytes` (1 MiB): the cap every read passes to `decompress`. */
export const MAX_SESSION_BYTES = 1024 * 1024;

export interface Variant {
  /** e.g. "zstd 3". */
  readonly label: string;
  /** The codec family, for grouping: the configured codec name the row stands for. */
  readonly family: CodecName;
  /** The setting a store configured with this codec uses today (for `zstd-dict`: a default-sized dictionary). */
  readonly shipped: boolean;
  /** Time on only this many sessions per tier (all are used for sizes): for settings costing milliseconds per op. */
  readonly timedSessions?: number;
  compress(input: Uint8Array): Buffer;
  decompress(input: Uint8Array): Buffer;
}

function shipped(codec: Codec, label: string): Variant {
  return {
    label,
    family: codec.name,
    shipped: true,
    compress: (input) => codec.compress(input),
    decompress: (input) => codec.decompress(input, MAX_SESSION_BYTES),
  };
}

function zstdAt(level: number): Variant {
  // zstd-napi's high-level Compressor, because the shipped codec fixes level 3; the checksum matches its frames.
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: level, checksumFlag: true });
  const zstd = codecByName("zstd");
  return {
    label: `zstd ${level}`,
    family: "zstd",
    shipped: false,
    compress: (input) => compressor.compress(input),
    decompress: (input) => zstd.decompress(input, MAX_SESSION_BYTES),
  };
}

function gzipAt(level: number): Variant {
  const gzip = codecByName("gzip");
  return {
    label: `gzip ${level}`,
    family: "gzip",
    shipped: false,
    compress: (input) => gzipSync(input, { level }),
    decompress: (input) => gzip.decompress(input, MAX_SESSION_BYTES),
  };
}

function brotliAt(quality: number, timedSessions?: number): Variant {
  const brotli = codecByName("brotli");
  return {
    label: `brotli ${quality}`,
    family: "brotli",
    shipped: false,
    ...(timedSessions === undefined ? {} : { timedSessions }),
    compress: (input) =>
      brotliCompressSync(input, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: quality,
          [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
        },
      }),
    decompress: (input) => brotli.decompress(input, MAX_SESSION_BYTES),
  };
}

/** The levels the shipped codecs use; {@link assertShippedLevels} fails the run if src/codec changes them. */
const SHIPPED = { zstd: 3, gzip: 6, brotli: 5 } as const;

/** Every row of the tables, shipped settings marked. */
export function variants(): Variant[] {
  return [
    shipped(codecByName("none"), "none"),
    zstdAt(1),
    shipped(codecByName("zstd"), `zstd ${SHIPPED.zstd}`),
    zstdAt(6),
    zstdAt(9),
    gzipAt(1),
    shipped(codecByName("gzip"), `gzip ${SHIPPED.gzip}`),
    brotliAt(2),
    shipped(codecByName("brotli"), `brotli ${SHIPPED.brotli}`),
    // Quality 9 takes 0.5–7 ms per session, 30–100 times the others: timing it on every session would make it
    // most of the run. 100 sessions still make each timed batch last tens of milliseconds.
    brotliAt(9, 100),
  ];
}

/**
 * Shipped rows are labelled with a level the codecs do not export, so check it: each shipped codec must write
 * byte-for-byte what its family writes at that level. Otherwise the tables would name the wrong setting.
 */
export function assertShippedLevels(samples: readonly Uint8Array[]): void {
  const references = {
    zstd: zstdAt(SHIPPED.zstd),
    gzip: gzipAt(SHIPPED.gzip),
    brotli: brotliAt(SHIPPED.brotli),
  };
  for (const [name, reference] of Object.entries(references)) {
    const codec = codecByName(name as keyof typeof references);
    for (const sample of samples) {
      if (!codec.compress(sample).equals(reference.compress(sample))) {
        throw new Error(
          `the shipped ${name} codec no longer writes ${reference.label}: update bench/codecs/variants.ts`,
        );
      }
    }
  }
}
