/** The largest codec id a record header can hold (record format 2 keeps it in 4 bits). */
export const MAX_CODEC_ID = 15;

/**
 * A payload compressor. Codecs are kept apart from storage: the store writes a codec's {@link Codec.id} into each
 * record header and decodes any record by that id, so a store can switch codecs without a migration.
 */
export interface Codec {
  /**
   * Stored in every record header, in 4 bits (0 to {@link MAX_CODEC_ID}). Never reuse or renumber an id:
   * existing records depend on it.
   */
  readonly id: number;
  /** The name used in configuration. */
  readonly name: CodecName;
  /** Compresses `input`. Never throws for valid input. */
  compress(input: Uint8Array): Buffer;
  /**
   * Decompresses `input`, refusing to produce more than `maxBytes` bytes.
   *
   * The cap is enforced while decompressing, never after: a forged or hostile input must not make the process
   * allocate more than roughly `maxBytes`.
   *
   * @throws {CodecError} with reason `limit` when the output would exceed `maxBytes`, `malformed` when the input
   *   is not a valid stream for this codec (truncated, corrupt, trailing garbage).
   */
  decompress(input: Uint8Array, maxBytes: number): Buffer;
}

/**
 * Codecs that need nothing but their name: one instance each, shared by every store (see `codec-registry.ts`).
 */
export const sharedCodecNames = ["none", "zstd", "gzip", "brotli"] as const;

/** Names of the codecs a store can be configured with: the shared ones, and `zstd-dict`, built per store. */
export const codecNames = [...sharedCodecNames, "zstd-dict"] as const;

/** A codec name as written in configuration. */
export type CodecName = (typeof codecNames)[number];

/** The name of a codec with one shared instance. */
export type SharedCodecName = (typeof sharedCodecNames)[number];

/** Why a codec refused its input. */
export type CodecErrorReason = "limit" | "malformed";

/** Thrown by {@link Codec.decompress} when the input cannot be turned back into at most `maxBytes` bytes. */
export class CodecError extends Error {
  override readonly name = "CodecError";

  constructor(
    readonly codec: CodecName,
    readonly reason: CodecErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${codec}: ${message}`, options);
  }
}

/**
 * Throws a `RangeError` unless `maxBytes` is a usable output cap: a non-negative safe integer.
 *
 * Every codec calls this before decompressing. A bad cap is a caller bug, not bad input, so it is not a
 * {@link CodecError}; and it must fail loudly, because `NaN` or a negative number would otherwise quietly turn
 * comparisons such as `length > maxBytes` into "no limit at all".
 */
export function assertMaxBytes(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative safe integer, got ${maxBytes}`);
  }
}
