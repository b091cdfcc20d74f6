/**
 * Session data already in wire form, for the responses that carry it: transcoded straight from the stored JSON
 * (`session-data.ts` in the server), never built as an object.
 */
import type { JsonObject } from "@bufbuild/protobuf";

/**
 * A `google.protobuf.Struct` already in wire form: its fields' bytes, without tag or length. Given where a Struct
 * field expects its `JsonObject`, the service's encoders write the bytes as they are.
 */
export class EncodedStruct {
  /**
   * @param bytes - the Struct's fields, as the transcoder writes them (the maker has checked their depth for the
   *   field they go into).
   */
  constructor(readonly bytes: Buffer) {}

  /**
   * This Struct, typed as the `JsonObject` a Struct field's init value is. Only the service's encoders can write
   * it (`message-codec.ts`): it must not reach protobuf-es's `create` or `toBinary`.
   */
  asFieldValue(): JsonObject {
    return this as unknown as JsonObject;
  }
}
