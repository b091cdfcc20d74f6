import { readFileSync, statSync } from "node:fs";
import { InvalidDictionaryError, MAX_DICTIONARY_BYTES, ZstdDictionary } from "./zstd-dictionary.js";

/**
 * Reads and checks the zstd dictionary in the file at `path`.
 *
 * @returns the dictionary, or a message saying why the file cannot be used, phrased to follow the configuration
 *   field that names it: `cannot read /etc/a.dict: no such file (ENOENT)`. The message names the path, never the
 *   content.
 */
export function readZstdDictionaryFile(path: string): ZstdDictionary | string {
  let bytes: Buffer;
  try {
    // Checked before reading, so a path to something huge (or endless, like /dev/zero) is never read into memory.
    const stats = statSync(path);
    if (stats.isDirectory()) return `cannot read ${path}: it is a directory (EISDIR)`;
    if (!stats.isFile()) return `cannot read ${path}: not a regular file`;
    if (stats.size > MAX_DICTIONARY_BYTES) {
      return `${path} is ${stats.size} bytes; a dictionary may have at most ${MAX_DICTIONARY_BYTES} bytes`;
    }
    bytes = readFileSync(path);
  } catch (error) {
    return `cannot read ${path}: ${describeFileError(error)}`;
  }
  try {
    return ZstdDictionary.fromBytes(bytes);
  } catch (error) {
    if (error instanceof InvalidDictionaryError) return `${path} ${error.message}`;
    throw error;
  }
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file (ENOENT)";
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`;
  return error instanceof Error ? error.message : String(error);
}
