/**
 * The dictionary experiment behind the ~1 KB target: zstd with a dictionary trained on other sessions of the same
 * shop. zstd-napi loads dictionaries but cannot train them, so training uses the `zstd` command-line tool when it
 * is installed; without it the dictionary is raw content (concatenated sample sessions), which zstd also accepts
 * and which needs no tool, but which compresses less well. Not a shipped codec: the figures back a proposal.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Compressor, Decompressor } from "zstd-napi";
import type { Variant } from "./variants.js";

/** A few KiB is what zstd's trainer targets for small records; the whole dictionary is loaded once per process. */
export const DICTIONARY_BYTES = 16 * 1024;

export interface Dictionary {
  readonly kind: "trained" | "raw content";
  readonly bytes: Buffer;
}

/** A dictionary built from `samples` (sessions that are not measured, so the figures are not flattered). */
export function buildDictionary(samples: readonly Buffer[]): Dictionary {
  const dir = mkdtempSync(join(tmpdir(), "redisession-dict-"));
  try {
    for (const [index, sample] of samples.entries()) writeFileSync(join(dir, `${index}.json`), sample);
    const output = join(dir, "dictionary");
    execFileSync("zstd", ["--train", "-q", "-r", dir, "-o", output, `--maxdict=${DICTIONARY_BYTES}`], {
      stdio: "ignore",
    });
    return { kind: "trained", bytes: readFileSync(output) };
  } catch {
    // No zstd CLI (or training failed): the first samples as raw content, zstd's fallback dictionary type.
    return { kind: "raw content", bytes: Buffer.concat(samples).subarray(0, DICTIONARY_BYTES) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * zstd level 3 with `dictionary`, checksummed like the shipped codec. Read back through zstd-napi's Decompressor,
 * which (unlike the shipped codec) does not cap output: fine for the benchmark's own frames.
 */
export function dictionaryVariant(dictionary: Dictionary): Variant {
  const compressor = new Compressor();
  // Parameters first: zstd-napi refuses to change them while a dictionary is loaded.
  compressor.setParameters({ compressionLevel: 3, checksumFlag: true });
  compressor.loadDictionary(dictionary.bytes);
  const decompressor = new Decompressor();
  decompressor.loadDictionary(dictionary.bytes);
  return {
    label: `zstd 3 + ${Math.round(dictionary.bytes.length / 1024)} KiB ${dictionary.kind} dictionary`,
    family: "zstd",
    shipped: false,
    experiment: true,
    compress: (input) => compressor.compress(input),
    decompress: (input) => decompressor.decompress(input),
  };
}
