/**
 * Trained zstd dictionaries for the tests, made the way `redisession train-dictionary` makes them (its trainer,
 * `zstd --train`), on generated shop sessions (bench/codecs/corpus.ts). Each seed stream gives a different set of
 * sessions, hence a different dictionary; tests measure on streams no dictionary was trained on.
 *
 * @module
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sessions } from "../../../bench/codecs/corpus.js";
import { trainZstdDictionary } from "../../../src/cli/dictionary-trainer.js";
import { ZstdDictionary } from "../../../src/codec/index.js";

/** The nominal JSON size of the generated sessions: the ~1 KB sessions the dictionary codec is for. */
export const SESSION_BYTES = 1024;

/** Seed streams of the two test dictionaries, and of sessions neither was trained on. */
export const STREAM_A = 7_000_001;
export const STREAM_B = 7_000_002;
export const UNSEEN_STREAM = 7_000_003;

/** A trained dictionary: its bytes (to write to a file) and the checked dictionary. */
export interface TestDictionary {
  readonly bytes: Buffer;
  readonly dictionary: ZstdDictionary;
}

/** `count` generated ~1 KB sessions of seed stream `stream`, as JSON. */
export function sessionJson(count: number, stream: number): Buffer[] {
  return sessions(SESSION_BYTES, count, stream);
}

/** A 16 KiB (at most) dictionary trained on 300 sessions of `stream`. */
export async function trainTestDictionary(stream: number): Promise<TestDictionary> {
  const bytes = await trainZstdDictionary(sessionJson(300, stream), 16 * 1024);
  return { bytes, dictionary: ZstdDictionary.fromBytes(bytes) };
}

/** Writes `bytes` to a fresh temporary file named `name` and returns its path. */
export function writeTempFile(bytes: Uint8Array | string, name = "sessions.dict"): string {
  const file = join(mkdtempSync(join(tmpdir(), "redisession-dict-")), name);
  writeFileSync(file, bytes);
  return file;
}
