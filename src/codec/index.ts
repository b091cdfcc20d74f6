/**
 * Payload codecs: compression behind one {@link Codec} interface. The shared codecs are looked up by configured
 * name or by the id stored in each record header; a store resolves its own set, `zstd-dict` included, with
 * {@link storeCodecs}.
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
  type SharedCodecName,
  sharedCodecNames,
} from "./codec.js";
export { codecById, codecByName } from "./codec-registry.js";
export { type CodecChoice, type StoreCodecs, storeCodecs } from "./codec-set.js";
export { gzipCodec } from "./gzip-codec.js";
export { noneCodec } from "./none-codec.js";
export { zstdCodec } from "./zstd-codec.js";
export { createZstdDictCodec, ZSTD_DICT_CODEC_ID } from "./zstd-dict-codec.js";
export {
  formatDictionaryId,
  InvalidDictionaryError,
  MAX_DICTIONARY_BYTES,
  ZstdDictionary,
} from "./zstd-dictionary.js";
export { readZstdDictionaryFile } from "./zstd-dictionary-file.js";
