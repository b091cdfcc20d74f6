import type zstd from "zstd-napi/binding.js";
import type { Codec } from "./codec.js";
import {
  compressFrame,
  createCompressionContext,
  createDecompressionContext,
  decompressFrames,
} from "./zstd-frames.js";

// One context of each kind for the whole process. The binding is synchronous and Node runs JavaScript on one
// thread, so no two calls can interleave on a context; reusing them avoids allocating zstd's internal tables
// (hundreds of KiB) on every session write. They are created lazily so importing the codec costs nothing.
let cctx: zstd.CCtx | undefined;
let dctx: zstd.DCtx | undefined;

/**
 * The zstd codec (id 1): fast and the best ratio per CPU cycle of the built-in codecs. Each payload is one
 * checksummed level-3 frame; reads go through the bounded decoder of `zstd-frames.ts`, which never trusts a
 * frame's declared size.
 */
export const zstdCodec: Codec = {
  id: 1,
  name: "zstd",

  compress(input: Uint8Array): Buffer {
    cctx ??= createCompressionContext();
    return compressFrame(cctx, input);
  },

  decompress(input: Uint8Array, maxBytes: number): Buffer {
    dctx ??= createDecompressionContext();
    return decompressFrames("zstd", dctx, input, maxBytes);
  },
};
