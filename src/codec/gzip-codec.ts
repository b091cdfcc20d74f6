import { gunzipSync, gzipSync } from "node:zlib";
import type { Codec } from "./codec.js";
import { decompressWithZlib } from "./zlib-decompress.js";

/**
 * zlib's default level, which is also what other languages' gzip writers use unless told otherwise. On session
 * JSON from 2 to 64 KiB it wrote 5–9% fewer bytes than level 1 in 1.2–2.2 times the time (21–710 µs); level 9
 * took up to 2.4 times as long again for at most 3.4% more. Brotli and zstd are the codecs for ratio or speed.
 */
const GZIP_LEVEL = 6;

/**
 * The gzip codec (id 2): RFC 1952 via node:zlib.
 *
 * Not the fastest nor the smallest, but every language reads and writes it, so it suits stores shared with back
 * ends that have no zstd or brotli library. Concatenated gzip members are valid gzip and are decoded in full.
 */
export const gzipCodec: Codec = {
  id: 2,
  name: "gzip",

  compress(input: Uint8Array): Buffer {
    return gzipSync(input, { level: GZIP_LEVEL });
  },

  decompress(input: Uint8Array, maxBytes: number): Buffer {
    return decompressWithZlib("gzip", gunzipSync, input, maxBytes);
  },
};
