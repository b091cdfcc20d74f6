/**
 * Dictionaries for the `zstd-dict` rows, one per size class, made as `redisession train-dictionary` makes them: its
 * default sample count, its hold-out split and its `trainZstdDictionary` (`zstd --train`, 16 KiB). They are trained
 * on the training stream of sessions, never the measured ones, and written to files that the rows' stores list in
 * `zstdDictionaries`, so the records are written exactly as the service would write them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { splitSamples } from "../../src/cli/dictionary-evaluation.js";
import {
  DEFAULT_DICTIONARY_BYTES,
  DictionaryTrainingError,
  trainZstdDictionary,
} from "../../src/cli/dictionary-trainer.js";
import { DEFAULT_SAMPLES } from "../../src/cli/train-dictionary-command.js";
import { ZstdDictionary } from "../../src/codec/zstd-dictionary.js";
import { progress } from "../support/harness.js";
import { type SizeClass, trainingJson } from "./population.js";

/** A trained dictionary, as a store's configuration lists it. */
export interface DictionaryFile {
  readonly path: string;
  /** The id records name it by (`ZstdDictionary.hexId`). */
  readonly id: string;
  readonly bytes: number;
  /** Sessions it was trained on (`train-dictionary`'s default sample, less the held-out tenth). */
  readonly trainedOn: number;
}

/** The dictionary files of a run, by size class, in a private directory removed by `remove()`. */
export interface DictionaryFiles {
  readonly files: ReadonlyMap<SizeClass, DictionaryFile>;
  remove(): Promise<void>;
}

/**
 * Trains one dictionary per size class in `sizes`. Resolves to `null` when the `zstd` tool is missing or cannot
 * train (the run says so, and its `zstd-dict` rows are left out).
 */
export async function trainDictionaryFiles(sizes: readonly SizeClass[]): Promise<DictionaryFiles | null> {
  const dir = await mkdtemp(join(tmpdir(), "redisession-bench-dict-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  const files = new Map<SizeClass, DictionaryFile>();
  try {
    for (const size of sizes) {
      const { training } = splitSamples(trainingJson(size, DEFAULT_SAMPLES));
      const bytes = await trainZstdDictionary(training, DEFAULT_DICTIONARY_BYTES);
      const dictionary = ZstdDictionary.fromBytes(bytes);
      const path = join(dir, `${size.bytes}.dict`);
      await writeFile(path, bytes, { mode: 0o600 });
      files.set(size, { path, id: dictionary.hexId, bytes: bytes.length, trainedOn: training.length });
      progress(
        `memory: trained dictionary ${dictionary.hexId} (${bytes.length} B) on ${training.length} ${size.label} sessions`,
      );
    }
  } catch (error) {
    await remove();
    if (!(error instanceof DictionaryTrainingError)) throw error;
    progress(`memory: no zstd-dict rows (${error.message})`);
    return null;
  }
  return { files, remove };
}
