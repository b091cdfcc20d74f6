import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** The dictionary size `train-dictionary` aims at unless told otherwise: what the ~1 KB session figures used. */
export const DEFAULT_DICTIONARY_BYTES = 16 * 1024;

/** Smallest dictionary zstd's trainer can make (ZDICT_DICTSIZE_MIN). */
export const MIN_DICTIONARY_BYTES = 256;

/** Fewer samples than this and zstd's trainer gives up ("nb of samples too low"). */
export const MIN_TRAINING_SAMPLES = 10;

/** Training on a few MB of JSON takes seconds; this only stops a wedged child. */
const TRAINING_TIMEOUT_MS = 10 * 60_000;

/** Why a dictionary could not be trained. */
export class DictionaryTrainingError extends Error {
  override readonly name = "DictionaryTrainingError";
}

const run = promisify(execFile);

/**
 * Throws unless the `zstd` command-line tool is on PATH. zstd-napi loads dictionaries but has no trainer, so
 * training needs zstd's own (Debian and most systems package it as `zstd`). Called before any other work, so a
 * machine without it fails at once.
 *
 * @throws {DictionaryTrainingError} saying to install zstd.
 */
export async function requireZstdTool(): Promise<void> {
  try {
    await run("zstd", ["--version"]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new DictionaryTrainingError(
        "training a dictionary needs the zstd command-line tool, which is not on PATH: install zstd " +
          "(e.g. apt-get install zstd)",
      );
    }
    throw new DictionaryTrainingError(`the zstd command-line tool does not run: ${describe(error)}`);
  }
}

/**
 * A zstd dictionary of at most `maxBytes` bytes trained on `samples` (one session's JSON each) with
 * `zstd --train`.
 *
 * The samples go to a private temporary directory (mode 0700, as `mkdtemp` makes it: they are session data),
 * removed afterwards whatever happens.
 *
 * @throws {DictionaryTrainingError} when zstd is missing or fails, with zstd's own error line.
 */
export async function trainZstdDictionary(samples: readonly Uint8Array[], maxBytes: number): Promise<Buffer> {
  if (samples.length < MIN_TRAINING_SAMPLES) {
    throw new DictionaryTrainingError(
      `${samples.length} samples are too few to train on: zstd needs at least ${MIN_TRAINING_SAMPLES}`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "redisession-train-"));
  try {
    const sampleDir = join(dir, "samples");
    const output = join(dir, "dictionary");
    await mkdir(sampleDir, { mode: 0o700 });
    // One file per sample: zstd's trainer treats each file as one record, which is what a session is.
    for (const [index, sample] of samples.entries()) {
      await writeFile(join(sampleDir, `${index}.json`), sample, { mode: 0o600 });
    }
    try {
      await run("zstd", ["--train", "-q", "-r", sampleDir, "-o", output, `--maxdict=${maxBytes}`], {
        timeout: TRAINING_TIMEOUT_MS,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") await requireZstdTool();
      throw new DictionaryTrainingError(`zstd --train failed: ${describe(error)}`);
    }
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** zstd's own error line (it prints warnings too, even with -q), else the failure as Node reports it. */
function describe(error: unknown): string {
  const stderr = String((error as { stderr?: unknown }).stderr ?? "");
  const line = stderr
    .split("\n")
    .map((text) => text.trim())
    .filter((text) => /^error/i.test(text))
    .at(-1);
  if (line !== undefined) return line;
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.name) : String(error);
}
