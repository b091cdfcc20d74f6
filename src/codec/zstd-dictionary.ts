import { createHash } from "node:crypto";
import zstd from "zstd-napi/binding.js";
import { COMPRESSION_LEVEL, createCompressionContext, createDecompressionContext } from "./zstd-frames.js";

/**
 * Largest dictionary accepted. zstd's trainer defaults to 110 KiB and records of a few KiB gain little past a few
 * dozen KiB, while every process keeps each listed dictionary (and up to two contexts prepared from it) in memory.
 */
export const MAX_DICTIONARY_BYTES = 1024 * 1024;

/** Thrown by {@link ZstdDictionary.fromBytes} for bytes that are not a usable zstd dictionary. */
export class InvalidDictionaryError extends Error {
  override readonly name = "InvalidDictionaryError";
}

/**
 * A zstd dictionary, checked and identified; what the `zstd-dict` codec compresses with. The bytes stay private:
 * a trained dictionary is made of fragments of real sessions, so it never reaches a log, a JSON rendering or
 * `util.inspect` (`#` fields are invisible to all three).
 *
 * Its {@link ZstdDictionary.id} is the first 4 bytes of the SHA-256 of its bytes, not the dictionary id zstd's
 * trainer writes into the file. zstd's id is picked at random unless `--dictID` says otherwise, so two different
 * files may carry the same one, and raw-content dictionaries have none; a hash of the content names exactly these
 * bytes, so a record can only ever be routed to the dictionary it was written with. Two dictionaries listed
 * together with the same 4-byte hash (a chance of about 1 in 2^32 per pair) are refused at configuration time.
 */
export class ZstdDictionary {
  /** The content-derived id, written ahead of each `zstd-dict` frame (uint32). */
  readonly id: number;
  /** The dictionary's size in bytes. */
  readonly byteLength: number;
  readonly #bytes: Buffer;
  #compression: zstd.CCtx | undefined;
  #decompression: zstd.DCtx | undefined;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.byteLength = bytes.length;
    this.id = createHash("sha256").update(bytes).digest().readUInt32BE(0);
  }

  /**
   * Checks `bytes` and wraps a private copy of them.
   *
   * Only dictionaries in zstd's format (what `zstd --train` and `redisession train-dictionary` write) are
   * accepted: zstd would also take any bytes as raw-content dictionary, so a wrong file (a config, an empty file)
   * would load without complaint and quietly compress worse. Both of zstd's loaders are run once here, so that a
   * damaged file fails at start-up rather than on the first write or read.
   *
   * @throws {InvalidDictionaryError} saying what is wrong, phrased to follow the file's name.
   */
  static fromBytes(bytes: Uint8Array): ZstdDictionary {
    if (bytes.length > MAX_DICTIONARY_BYTES) {
      throw new InvalidDictionaryError(
        `is ${bytes.length} bytes; a dictionary may have at most ${MAX_DICTIONARY_BYTES} bytes`,
      );
    }
    const copy = Buffer.from(bytes);
    if (copy.length < 8 || copy.readUInt32LE(0) !== zstd.MAGIC_DICTIONARY) {
      throw new InvalidDictionaryError(
        "is not a zstd dictionary (make one with `redisession train-dictionary` or `zstd --train`)",
      );
    }
    try {
      new zstd.DDict(copy);
      new zstd.CDict(copy, COMPRESSION_LEVEL);
    } catch (error) {
      throw new InvalidDictionaryError("is a damaged zstd dictionary (zstd cannot load it)", {
        cause: error,
      });
    }
    return new ZstdDictionary(copy);
  }

  /** The id as 8 lowercase hex digits, as messages and `train-dictionary` show it. */
  get hexId(): string {
    return formatDictionaryId(this.id);
  }

  /** This dictionary's compression context, prepared on first use and kept (see `createCompressionContext`). */
  compressionContext(): zstd.CCtx {
    this.#compression ??= createCompressionContext(this.#bytes);
    return this.#compression;
  }

  /** This dictionary's decompression context, prepared on first use and kept. */
  decompressionContext(): zstd.DCtx {
    this.#decompression ??= createDecompressionContext(this.#bytes);
    return this.#decompression;
  }

  /** What a JSON rendering (a log line, a config dump) shows: the id and size, never the content. */
  toJSON(): { id: string; bytes: number } {
    return { id: this.hexId, bytes: this.byteLength };
  }
}

/** A dictionary id as 8 lowercase hex digits. */
export function formatDictionaryId(id: number): string {
  return id.toString(16).padStart(8, "0");
}
