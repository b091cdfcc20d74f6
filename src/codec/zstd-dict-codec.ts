import { assertMaxBytes, type Codec, CodecError } from "./codec.js";
import { formatDictionaryId, type ZstdDictionary } from "./zstd-dictionary.js";
import { compressFrame, decompressFrames } from "./zstd-frames.js";

/** The record header's codec id for `zstd-dict` payloads. */
export const ZSTD_DICT_CODEC_ID = 4;

/** Bytes of the dictionary id ahead of the frame. */
const DICTIONARY_ID_BYTES = 4;

/**
 * A `zstd-dict` codec (id 4) over a store's dictionaries: zstd with a trained dictionary, for small sessions that
 * repeat the same keys and shapes across users, which a compressor seeing one record at a time cannot exploit.
 *
 * Payload: the dictionary's {@link ZstdDictionary.id} (uint32 big-endian), then checksummed level-3 zstd frames
 * compressed with that dictionary. New payloads use the first dictionary; a payload naming any of them decodes, so
 * a store rolls to a new dictionary by listing it first and keeping the old ones listed while their sessions live.
 * Frames are read by the same bounded decoder as the `zstd` codec (`zstd-frames.ts`): the same cap while
 * decompressing, window limit, checksum and distrust of declared sizes.
 *
 * @param dictionaries The store's dictionaries, the one to write with first. May be empty for a store that only
 *   reads (every payload is then refused as naming a dictionary that is not loaded), never contain one id twice.
 */
export function createZstdDictCodec(dictionaries: readonly ZstdDictionary[]): Codec {
  const byId = new Map<number, ZstdDictionary>();
  for (const dictionary of dictionaries) {
    if (byId.has(dictionary.id)) throw new Error(`dictionary ${dictionary.hexId} is listed twice`);
    byId.set(dictionary.id, dictionary);
  }
  const writer = dictionaries[0];
  const loaded = dictionaries.map((dictionary) => dictionary.hexId).join(", ") || "none";

  return {
    id: ZSTD_DICT_CODEC_ID,
    name: "zstd-dict",

    compress(input: Uint8Array): Buffer {
      // Configuration refuses codec zstd-dict without a dictionary, so this is a caller's bug, not bad input.
      if (writer === undefined) throw new Error("the zstd-dict codec has no dictionary to compress with");
      const payload = compressFrame(writer.compressionContext(), input, DICTIONARY_ID_BYTES);
      payload.writeUInt32BE(writer.id, 0);
      return payload;
    },

    decompress(input: Uint8Array, maxBytes: number): Buffer {
      assertMaxBytes(maxBytes);
      if (input.length < DICTIONARY_ID_BYTES) {
        throw new CodecError("zstd-dict", "malformed", "payload is too short to name its dictionary");
      }
      const id = new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(0);
      const dictionary = byId.get(id);
      if (dictionary === undefined) {
        throw new CodecError(
          "zstd-dict",
          "malformed",
          `payload was compressed with dictionary ${formatDictionaryId(id)}, which this store does not load ` +
            `(loaded: ${loaded}); list that dictionary's file in the store's zstdDictionaries to read it`,
        );
      }
      return decompressFrames(
        "zstd-dict",
        dictionary.decompressionContext(),
        input.subarray(DICTIONARY_ID_BYTES),
        maxBytes,
      );
    },
  };
}
