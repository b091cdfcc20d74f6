import type { JsonObject } from "@bufbuild/protobuf";
import { structWire } from "./json-struct.js";
import { checkReadDepth, type MessageWire } from "./message-wire.js";
import {
  MAX_BYTES_CONSTANT,
  MAX_JSON_BYTES_PER_WIRE_BYTE,
  structJsonBytesAtLeast,
} from "./struct-json-size.js";
import { WireReader } from "./wire-reader.js";

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
  private readonly chunks: Buffer[];

  /**
   * @param bytes - the Struct's fields, without tag or length (shared with the request's buffer, not copied).
   * @param depth - the Struct's message depth in its request, for the decoder's depth limit.
   */
  constructor(
    bytes: Buffer,
    private readonly depth: number,
  ) {
    this.chunks = [bytes];
  }

  /** The Struct's fields' bytes. */
  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks));
    return this.chunks[0] as Buffer;
  }

  /**
   * Merges a later occurrence of the field into this one, as protobuf merges a message field given twice: for a
   * Struct, whose fields are map entries, that is its bytes appended (a key given again wins).
   */
  append(bytes: Buffer): void {
    this.chunks.push(bytes);
  }

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
   * The data, decoded as the compiled codec decodes any Struct field.
   *
   * @throws WireDecodeError for bytes that are not a Struct's (a WireDepthError for one nested too deep).
   */
  decode(): JsonObject {
    const reader = new WireReader(this.bytes);
    return structWire.read(reader, this.depth, undefined) as JsonObject;
  }

  /** This Struct, typed as the `JsonObject` a decoded Struct field is: see {@link deferredStructWire}. */
  asFieldValue(): JsonObject {
    return this as unknown as JsonObject;
  }
}

/**
 * The codec of a request's Struct field on the server: reading leaves the bytes of a Struct of at least
 * {@link DEFER_MIN_BYTES} in a {@link DeferredStruct} (typed as the field's `JsonObject`: whoever reads the request
 * must know to decode it), and decodes smaller ones; writing is {@link structWire}'s.
 */
export const deferredStructWire: MessageWire = {
  typeName: structWire.typeName,
  write: structWire.write,
  read(reader, depth, target) {
    checkReadDepth(depth, structWire.typeName);
    if (target instanceof DeferredStruct) {
      target.append(reader.buf.subarray(reader.pos, reader.limit));
      reader.pos = reader.limit;
      return target;
    }
    // A small Struct, or one merged into a Struct already decoded, is decoded as the codec decodes any.
    if (target !== undefined || reader.limit - reader.pos < DEFER_MIN_BYTES) {
      return structWire.read(reader, depth, target);
    }
    const bytes = reader.buf.subarray(reader.pos, reader.limit);
    reader.pos = reader.limit;
    return new DeferredStruct(bytes, depth).asFieldValue();
  },
};
