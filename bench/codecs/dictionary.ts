/**
 * Rows for the `zstd-dict` codec: the shipped codec, with dictionaries trained exactly as `redisession
 * train-dictionary` trains them (its `trainZstdDictionary`, i.e. `zstd --train`), on sessions of another seed
 * stream than the measured ones, so the figures are not flattered by having seen the measured sessions.
 */
import { DictionaryTrainingError, trainZstdDictionary } from "../../src/cli/dictionary-trainer.js";
import { createZstdDictCodec } from "../../src/codec/zstd-dict-codec.js";
import { ZstdDictionary } from "../../src/codec/zstd-dictionary.js";
import { progress } from "../support/harness.js";
import { MAX_SESSION_BYTES, type Variant } from "./variants.js";

/**
 * Dictionary sizes measured: `train-dictionary`'s default (16 KiB, the shipped row), and a smaller and a larger
 * one, so that the table says what `--size` buys.
 */
export const DICTIONARY_SIZES = [4 * 1024, 16 * 1024, 64 * 1024] as const;

/** The size `train-dictionary` uses unless told otherwise. */
const SHIPPED_SIZE = 16 * 1024;

export interface TrainedDictionary {
  /** The `--size` asked for. */
  readonly maxBytes: number;
  readonly dictionary: ZstdDictionary;
}

/**
 * One dictionary per size in {@link DICTIONARY_SIZES}, trained on `samples`; none when the `zstd` tool is missing
 * (the rows are then left out, and the run says so).
 */
export async function trainDictionaries(samples: readonly Buffer[]): Promise<TrainedDictionary[]> {
  const trained: TrainedDictionary[] = [];
  for (const maxBytes of DICTIONARY_SIZES) {
    try {
      const bytes = await trainZstdDictionary(samples, maxBytes);
      trained.push({ maxBytes, dictionary: ZstdDictionary.fromBytes(bytes) });
    } catch (error) {
      if (!(error instanceof DictionaryTrainingError)) throw error;
      progress(`codecs: no zstd-dict rows (${error.message})`);
      return [];
    }
  }
  return trained;
}

/** The shipped `zstd-dict` codec over one dictionary, read back through its capped `decompress`. */
export function dictionaryVariant({ maxBytes, dictionary }: TrainedDictionary): Variant {
  const codec = createZstdDictCodec([dictionary]);
  return {
    label: `zstd-dict, ${Math.round(maxBytes / 1024)} KiB dictionary`,
    family: "zstd-dict",
    shipped: maxBytes === SHIPPED_SIZE,
    compress: (input) => codec.compress(input),
    decompress: (input) => codec.decompress(input, MAX_SESSION_BYTES),
  };
}
