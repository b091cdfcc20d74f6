import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { InvalidDictionaryError, MAX_DICTIONARY_BYTES, ZstdDictionary } from "../codec/zstd-dictionary.js";
import { type ConfigEnv, loadConfig } from "../config/load-config.js";
import { RedisLink } from "../store/redis/redis-link.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./cli-error.js";
import { type DictionaryEvaluation, evaluateDictionary, splitSamples } from "./dictionary-evaluation.js";
import {
  DEFAULT_DICTIONARY_BYTES,
  DictionaryTrainingError,
  MIN_DICTIONARY_BYTES,
  MIN_TRAINING_SAMPLES,
  requireZstdTool,
  trainZstdDictionary,
} from "./dictionary-trainer.js";
import { OpenStores, requireStore, storeFailure } from "./open-stores.js";
import { sampleSessionJson } from "./session-sampler.js";

/**
 * Sessions sampled unless told otherwise: about 2 MB of JSON at ~1 KB each, the 100 times the default dictionary
 * size that zstd's trainer recommends.
 */
export const DEFAULT_SAMPLES = 2000;

/** Most sessions sampled: past this, training takes long and the dictionary no longer improves. */
export const MAX_SAMPLES = 100_000;

/** `--name`'s value as an integer within bounds, or a usage error; `fallback` when absent. */
function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new CliError(`${name} must be an integer from ${min} to ${max}`, EXIT_USAGE);
  }
  return number;
}

const ratio = (json: number, stored: number) => `${(json / stored).toFixed(2)}×`;

function evaluationLine(store: string, evaluation: DictionaryEvaluation): string {
  const { sessions, jsonBytes, zstdBytes, dictionaryBytes } = evaluation;
  return (
    `${store}: on ${sessions} held-out sessions (mean ${Math.round(jsonBytes)} B of JSON) zstd-dict stores ` +
    `${Math.round(dictionaryBytes)} B (${ratio(jsonBytes, dictionaryBytes)}), zstd ${Math.round(zstdBytes)} B ` +
    `(${ratio(jsonBytes, zstdBytes)})`
  );
}

/**
 * `redisession train-dictionary [--config FILE] [--store NAME] [--samples N] [--size BYTES] --out FILE`: samples
 * up to N live sessions of the store (default: the default store), trains a zstd dictionary of at most BYTES on
 * them with `zstd --train`, and writes it to FILE, which must not exist yet. One sample in ten is held out of
 * training (given 50 or more) and the dictionary is measured on those, against plain zstd.
 *
 * FILE is written with mode 0600: a dictionary holds fragments of the sessions it was trained on.
 */
export async function trainDictionaryCommand(
  args: string[],
  env: ConfigEnv,
  io: { stdout: NodeJS.WritableStream } = process,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      store: { type: "string" },
      samples: { type: "string" },
      size: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  if (values.out === undefined || values.out === "") {
    throw new CliError("train-dictionary needs --out FILE, a file that does not exist yet", EXIT_USAGE);
  }
  const count = integerOption(
    "--samples",
    values.samples,
    DEFAULT_SAMPLES,
    MIN_TRAINING_SAMPLES,
    MAX_SAMPLES,
  );
  const size = integerOption(
    "--size",
    values.size,
    DEFAULT_DICTIONARY_BYTES,
    MIN_DICTIONARY_BYTES,
    MAX_DICTIONARY_BYTES,
  );
  const out = resolve(values.out);
  // Checked now so that nothing is sampled for a file that cannot be written; writeNewFile checks again.
  if (existsSync(out)) throw alreadyExists(out);
  const config = loadConfig({ path: values.config, env });
  const store = requireStore(config, values.store);
  await asCliError(requireZstdTool());

  const stores = await OpenStores.open(config, [store.name]);
  let samples: Buffer[];
  try {
    const target = stores.target(store.name);
    samples = await sampleSessionJson(new RedisLink(target.client), store, target.repository, count);
  } catch (error) {
    throw storeFailure(store.name, "sampling sessions", error);
  } finally {
    await stores.close();
  }
  if (samples.length < MIN_TRAINING_SAMPLES) {
    throw new CliError(
      `${store.name}: found ${samples.length} live sessions; training needs at least ${MIN_TRAINING_SAMPLES} ` +
        "(and works best on about 100 times the dictionary size of JSON)",
      EXIT_FAILURE,
    );
  }

  const { training, heldOut } = splitSamples(samples);
  const bytes = await asCliError(trainZstdDictionary(training, size));
  let dictionary: ZstdDictionary;
  try {
    dictionary = ZstdDictionary.fromBytes(bytes);
  } catch (error) {
    if (error instanceof InvalidDictionaryError) {
      throw new CliError(`zstd --train wrote a file that ${error.message}`, EXIT_FAILURE);
    }
    throw error;
  }
  await writeNewFile(out, bytes);

  io.stdout.write(
    `${store.name}: trained dictionary ${dictionary.hexId} (${bytes.length} bytes) on ${training.length} ` +
      `sessions; wrote ${out}\n`,
  );
  if (heldOut.length > 0)
    io.stdout.write(`${evaluationLine(store.name, evaluateDictionary(dictionary, heldOut))}\n`);
}

/** `work`, with a training failure turned into a one-line {@link CliError}. */
async function asCliError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DictionaryTrainingError) throw new CliError(error.message, EXIT_FAILURE);
    throw error;
  }
}

/**
 * Writes `bytes` to `path`, refusing to replace an existing file: a store lists its dictionaries by path, and
 * replacing one in place would make every record written with the old one unreadable at its next start.
 */
async function writeNewFile(path: string, bytes: Buffer): Promise<void> {
  try {
    await writeFile(path, bytes, { flag: "wx", mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw alreadyExists(path);
    throw new CliError(`cannot write ${path}: ${code ?? String(error)}`, EXIT_FAILURE);
  }
}

function alreadyExists(path: string): CliError {
  return new CliError(
    `${path} already exists; write the new dictionary to a new file (records written with the old one need it ` +
      "for as long as they live)",
    EXIT_FAILURE,
  );
}
