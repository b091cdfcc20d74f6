import { assertMaxBytes, type Codec, CodecError } from "./codec.js";

/**
 * The identity codec (id 0): stores payloads as they are.
 *
 * Useful for tiny sessions, where any compressed framing costs more than it saves, and for debugging records by
 * eye. It still enforces `maxBytes`, so swapping codecs never changes what size of session a store accepts.
 */
export const noneCodec: Codec = {
  id: 0,
  name: "none",

  compress(input: Uint8Array): Buffer {
    // Copy rather than wrap: callers may reuse or mutate `input` after handing it over, and every other codec
    // returns a buffer it owns, so this one must too.
    return Buffer.from(input);
  },

  decompress(input: Uint8Array, maxBytes: number): Buffer {
    assertMaxBytes(maxBytes);
    if (input.length > maxBytes) {
      throw new CodecError(
        "none",
        "limit",
        `payload of ${input.length} bytes exceeds the ${maxBytes}-byte limit`,
      );
    }
    return Buffer.from(input);
  },
};
