import { zstdCodec } from "../codec/zstd-codec.js";
import { createZstdDictCodec } from "../codec/zstd-dict-codec.js";
import type { ZstdDictionary } from "../codec/zstd-dictionary.js";

/** Every this-many-th sampled session is held out of training, to measure the dictionary on unseen sessions. */
export const HOLD_OUT_EVERY = 10;

/** Below this many samples none are held out: the few left would say little, and training needs them more. */
export const MIN_SAMPLES_TO_HOLD_OUT = 50;

/** Sampled sessions split into those trained on and those the dictionary is measured on. */
export interface SampleSplit {
  readonly training: readonly Buffer[];
  readonly heldOut: readonly Buffer[];
}

/** Holds out every {@link HOLD_OUT_EVERY}-th sample when there are enough of them. */
export function splitSamples(samples: readonly Buffer[]): SampleSplit {
  if (samples.length < MIN_SAMPLES_TO_HOLD_OUT) return { training: samples, heldOut: [] };
  return {
    training: samples.filter((_, index) => index % HOLD_OUT_EVERY !== 0),
    heldOut: samples.filter((_, index) => index % HOLD_OUT_EVERY === 0),
  };
}

/** What a dictionary does to sessions it was not trained on, in mean bytes per session. */
export interface DictionaryEvaluation {
  readonly sessions: number;
  readonly jsonBytes: number;
  /** Payload of the `zstd` codec. */
  readonly zstdBytes: number;
  /** Payload of the `zstd-dict` codec with the dictionary (its 4-byte dictionary id included). */
  readonly dictionaryBytes: number;
}

/** Compresses `sessions` with the shipped `zstd` and `zstd-dict` codecs, as a store would write them. */
export function evaluateDictionary(
  dictionary: ZstdDictionary,
  sessions: readonly Buffer[],
): DictionaryEvaluation {
  const withDictionary = createZstdDictCodec([dictionary]);
  const mean = (size: (json: Buffer) => number) =>
    sessions.reduce((sum, json) => sum + size(json), 0) / sessions.length;
  return {
    sessions: sessions.length,
    jsonBytes: mean((json) => json.length),
    zstdBytes: mean((json) => zstdCodec.compress(json).length),
    dictionaryBytes: mean((json) => withDictionary.compress(json).length),
  };
}
