import type { Codec, CodecName } from "./codec.js";
import { codecById, codecByName } from "./codec-registry.js";
import { createZstdDictCodec, ZSTD_DICT_CODEC_ID } from "./zstd-dict-codec.js";
import type { ZstdDictionary } from "./zstd-dictionary.js";

/** What decides a store's codecs: the fields of the same names in its configuration. */
export interface CodecChoice {
  /** The codec new payloads are written with. */
  readonly codec: CodecName;
  /** The store's zstd dictionaries, the one `zstd-dict` writes with first; all of them are read. */
  readonly zstdDictionaries: readonly ZstdDictionary[];
}

/** One store's codecs: the one it writes with, and every one it can read. */
export interface StoreCodecs {
  /** The codec new payloads are compressed with. */
  readonly writer: Codec;
  /**
   * The codec of a record header's codec id, or `undefined` when no codec has that id (a corrupt record, or one
   * written by a newer version).
   */
  byId(id: number): Codec | undefined;
}

/**
 * The codecs of a store configured with `choice`: the shared codecs, and a `zstd-dict` codec over the store's own
 * dictionaries. That one is there whatever the store writes with, so records keep decoding after a store moves
 * from `zstd-dict` to another codec (as long as it still lists their dictionaries), and a record naming a
 * dictionary the store does not list is refused with a message saying so rather than as an unknown codec.
 */
export function storeCodecs(choice: CodecChoice): StoreCodecs {
  const dictionaryCodec = createZstdDictCodec(choice.zstdDictionaries);
  const writer = choice.codec === "zstd-dict" ? dictionaryCodec : codecByName(choice.codec);
  return {
    writer,
    byId: (id) => (id === ZSTD_DICT_CODEC_ID ? dictionaryCodec : codecById(id)),
  };
}
