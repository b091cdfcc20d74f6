import type { JsonObject } from "@bufbuild/protobuf";

/**
 * A `google.protobuf.Struct` already in wire form: its fields' bytes, without tag or length. Given where a Struct
 * field expects its `JsonObject`, the compiled codec copies the bytes as they are. It lets a response carry
 * session data transcoded straight from the stored JSON, never built as an object.
 */
export class EncodedStruct {
  /**
   * @param bytes - the Struct's fields, as `structWire.write` would write them (the maker has checked their depth
   *   for the field they go into).
   */
  constructor(readonly bytes: Buffer) {}

  /**
   * This Struct, typed as the `JsonObject` a Struct field's init value is. Only the compiled codec can write it:
   * it must not reach protobuf-es (a type the compiler leaves to protobuf-es, or `create`).
   */
  asFieldValue(): JsonObject {
    return this as unknown as JsonObject;
  }
}
