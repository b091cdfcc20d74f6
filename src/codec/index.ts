/**
 * Payload codecs: compression behind one {@link Codec} interface, looked up by configured name or by the id
 * stored in each record header.
 *
 * @module
 */
export { brotliCodec } from "./brotli-codec.js";
export {
  type Codec,
  CodecError,
  type CodecErrorReason,
  type CodecName,
  codecNames,
} from "./codec.js";
export { codecById, codecByName } from "./codec-registry.js";
export { gzipCodec } from "./gzip-codec.js";
export { noneCodec } from "./none-codec.js";
export { zstdCodec } from "./zstd-codec.js";
