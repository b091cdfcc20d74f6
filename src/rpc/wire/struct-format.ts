/**
 * The wire format of `google.protobuf.Struct`, `Value` and `ListValue`, which carry session data: their type names
 * (for errors) and the tags of their fields, one byte each. Imported as a namespace (`format.STRING_VALUE`) by the
 * Struct reader, writer, transcoder and size counter.
 */
import { WireType } from "@bufbuild/protobuf/wire";

export const STRUCT = "google.protobuf.Struct";
export const VALUE = "google.protobuf.Value";
export const LIST = "google.protobuf.ListValue";

// Tags: field number << 3 | wire type.
export const FIELD_1_LEN = (1 << 3) | WireType.LengthDelimited; // Struct.fields entry, entry key, ListValue.values
export const FIELD_2_LEN = (2 << 3) | WireType.LengthDelimited; // entry value
export const NULL_VALUE = (1 << 3) | WireType.Varint;
export const NUMBER_VALUE = (2 << 3) | WireType.Bit64;
export const STRING_VALUE = (3 << 3) | WireType.LengthDelimited;
export const BOOL_VALUE = (4 << 3) | WireType.Varint;
export const STRUCT_VALUE = (5 << 3) | WireType.LengthDelimited;
export const LIST_VALUE = (6 << 3) | WireType.LengthDelimited;
