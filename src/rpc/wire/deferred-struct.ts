/**
 * Large session data left undecoded in a request until the server knows it may fit its store (see
 * `struct-json-size.ts`): the server decodes requests before it knows which store they are for, and decoding a few
 * megabytes of small fields takes hundreds of milliseconds.
 */
import type { JsonObject } from "@bufbuild/protobuf";
import {
  MAX_BYTES_CONSTANT,
  MAX_JSON_BYTES_PER_WIRE_BYTE,
  structJsonBytesAtLeast,
} from "./struct-json-size.js";
import { decodeStruct } from "./struct-reader.js";

/**
 * Struct fields smaller than this are decoded with the request: decoding them costs less than a Redis round trip,
 * and the store then refuses data too large with its exact size. Larger ones are deferred.
 */
export const DEFER_MIN_BYTES = 64 * 1024;

/**
 * A `google.protobuf.Struct` received in a request and not decoded yet: its fields' bytes, as they came. The server
 * decodes requests before it knows which store they are for (and so how much data that store takes): a request's
 * Struct fields are left as these, so that data too large for its store is refused before its decoding is paid
 * for (see `struct-json-size.ts`). It is the opposite of `EncodedStruct`, which carries Struct bytes out.
 */
export class DeferredStruct {
  /**
   * @param bytes - the Struct's fields, without tag or length (shared with the request's buffer, not copied).
   * @param depth - the Struct's message depth in its request, for the decoder's depth limit.
   */
  constructor(
    readonly bytes: Buffer,
    private readonly depth: number,
  ) {}

  /**
   * The least number of bytes the JSON of this data (`JSON.stringify`, in UTF-8) can make, when that is more than
   * `maxBytes`; `undefined` when the data may fit. A Struct of at most a quarter of `maxBytes` (see
   * `MAX_JSON_BYTES_PER_WIRE_BYTE`) is answered without looking at it; no other is decoded either (see
   * `structJsonBytesAtLeast`, which may stop counting soon after it passes `maxBytes`).
   */
  sizeOver(maxBytes: number): number | undefined {
    const bytes = this.bytes;
    if (MAX_JSON_BYTES_PER_WIRE_BYTE * bytes.length + MAX_BYTES_CONSTANT <= maxBytes) return undefined;
    const least = structJsonBytesAtLeast(bytes, this.depth, maxBytes);
    return least > maxBytes ? least : undefined;
  }

  /**
   * The data, decoded as any Struct field is (`struct-reader.ts`).
   *
   * @throws WireDecodeError for bytes that are not a Struct's (a WireDepthError for one nested too deep).
   */
  decode(): JsonObject {
    return decodeStruct(this.bytes, this.depth);
  }

  /** This Struct, typed as the `JsonObject` a decoded Struct field is: whoever reads the request must know. */
  asFieldValue(): JsonObject {
    return this as unknown as JsonObject;
  }
}
