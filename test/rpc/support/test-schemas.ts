import { create, createFileRegistry, type DescMessage } from "@bufbuild/protobuf";
import {
  type FieldDescriptorProto,
  FileDescriptorProtoSchema,
  file_google_protobuf_duration,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  FieldOptions_JSType as JsType,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";

/**
 * A proto3 file, built as a descriptor at run time, with every field kind the compiled codec handles and the ones
 * it leaves to protobuf-es: the service's own protos use only a few of them (no repeated numbers, no sint or
 * fixed types, no jstype). Written as the .proto it stands for:
 *
 *   enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; COLOR_BLUE = 2; }
 *   message Scalars {  // one field of each scalar type, an enum, a JS_STRING int64 and proto3 optionals
 *     double f_double = 1; float f_float = 2; int64 f_int64 = 3; … sint64 f_sint64 = 18; Color f_enum = 19;
 *     int64 f_int64_string = 20 [jstype = JS_STRING];
 *     optional int32 o_int32 = 21; optional string o_string = 22; optional Color o_enum = 23;
 *     optional double o_double = 24;
 *   }
 *   message Repeated {  // each scalar type repeated (packed by default), an unpacked int32, messages, Structs
 *     repeated double r_double = 1; … repeated Color r_enum = 19; repeated int32 r_unpacked = 20 [packed = false];
 *     repeated Scalars r_messages = 21; repeated google.protobuf.Struct r_structs = 22;
 *   }
 *   message Nested {  // message fields: own, recursive, WKTs, Value (its struct_value a Struct message, which is
 *                     // left to protobuf-es), a huge field number
 *     Scalars scalars = 1; Repeated repeated = 2; google.protobuf.Struct data = 3;
 *     google.protobuf.Timestamp time = 4; google.protobuf.Duration span = 5; Nested child = 6;
 *     google.protobuf.ListValue list = 7; google.protobuf.Value value = 8; WithOneof choice = 9;
 *     uint32 far = 536870911;
 *   }
 *   message WithOneof { oneof choice { string text = 1; int32 number = 2; } }
 *   message Oneofs {  // oneofs of every member kind, numbered among the other fields (as redisession's Session)
 *     string key = 1;
 *     oneof content {
 *       google.protobuf.Struct data = 2; string data_json = 7; bytes raw = 8; Scalars scalars = 9;
 *       Oneofs child = 10; google.protobuf.Int32Value wrapped = 11;
 *     }
 *     int32 version = 3;
 *     oneof pick {
 *       Color color = 4; sint64 count = 12; double ratio = 13; bool flag = 14;
 *       uint64 big = 15 [jstype = JS_STRING]; google.protobuf.Value value = 16; fixed32 mask = 17;
 *     }
 *     repeated string tags = 5;
 *     optional int32 o_count = 6;
 *   }
 *   message WithMap { map<string, int32> counts = 1; }
 *   message WithWrapper { google.protobuf.Int32Value count = 1; }
 */

const SCALARS: ReadonlyArray<readonly [string, Type]> = [
  ["double", Type.DOUBLE],
  ["float", Type.FLOAT],
  ["int64", Type.INT64],
  ["uint64", Type.UINT64],
  ["int32", Type.INT32],
  ["fixed64", Type.FIXED64],
  ["fixed32", Type.FIXED32],
  ["bool", Type.BOOL],
  ["string", Type.STRING],
  ["bytes", Type.BYTES],
  ["uint32", Type.UINT32],
  ["sfixed32", Type.SFIXED32],
  ["sfixed64", Type.SFIXED64],
  ["sint32", Type.SINT32],
  ["sint64", Type.SINT64],
];

type FieldInit = Partial<Omit<FieldDescriptorProto, "$typeName" | "options">> & {
  options?: { jstype?: JsType; packed?: boolean };
};

function field(name: string, number: number, type: Type, more: FieldInit = {}): FieldInit {
  return { name, number, type, label: Label.OPTIONAL, ...more };
}

const repeated = { label: Label.REPEATED };
const color = { typeName: ".wiretest.v1.Color" };

const scalars = [
  ...SCALARS.map(([name, type], index) => field(`f_${name}`, index + 1, type)),
  field("f_enum", 19, Type.ENUM, color),
  field("f_int64_string", 20, Type.INT64, { options: { jstype: JsType.JS_STRING } }),
  field("o_int32", 21, Type.INT32, { proto3Optional: true, oneofIndex: 0 }),
  field("o_string", 22, Type.STRING, { proto3Optional: true, oneofIndex: 1 }),
  field("o_enum", 23, Type.ENUM, { ...color, proto3Optional: true, oneofIndex: 2 }),
  field("o_double", 24, Type.DOUBLE, { proto3Optional: true, oneofIndex: 3 }),
];

const repeatedFields = [
  ...SCALARS.map(([name, type], index) => field(`r_${name}`, index + 1, type, repeated)),
  field("r_enum", 19, Type.ENUM, { ...repeated, ...color }),
  field("r_unpacked", 20, Type.INT32, { ...repeated, options: { packed: false } }),
  field("r_messages", 21, Type.MESSAGE, { ...repeated, typeName: ".wiretest.v1.Scalars" }),
  field("r_structs", 22, Type.MESSAGE, { ...repeated, typeName: ".google.protobuf.Struct" }),
];

const nested = [
  field("scalars", 1, Type.MESSAGE, { typeName: ".wiretest.v1.Scalars" }),
  field("repeated", 2, Type.MESSAGE, { typeName: ".wiretest.v1.Repeated" }),
  field("data", 3, Type.MESSAGE, { typeName: ".google.protobuf.Struct" }),
  field("time", 4, Type.MESSAGE, { typeName: ".google.protobuf.Timestamp" }),
  field("span", 5, Type.MESSAGE, { typeName: ".google.protobuf.Duration" }),
  field("child", 6, Type.MESSAGE, { typeName: ".wiretest.v1.Nested" }),
  field("list", 7, Type.MESSAGE, { typeName: ".google.protobuf.ListValue" }),
  field("value", 8, Type.MESSAGE, { typeName: ".google.protobuf.Value" }),
  field("choice", 9, Type.MESSAGE, { typeName: ".wiretest.v1.WithOneof" }),
  field("far", 536870911, Type.UINT32),
];

const content = { oneofIndex: 0 };
const pick = { oneofIndex: 1 };
// In the order of the .proto above (a oneof's members together), which is not field number order.
const oneofs = [
  field("key", 1, Type.STRING),
  field("data", 2, Type.MESSAGE, { ...content, typeName: ".google.protobuf.Struct" }),
  field("data_json", 7, Type.STRING, content),
  field("raw", 8, Type.BYTES, content),
  field("scalars", 9, Type.MESSAGE, { ...content, typeName: ".wiretest.v1.Scalars" }),
  field("child", 10, Type.MESSAGE, { ...content, typeName: ".wiretest.v1.Oneofs" }),
  field("wrapped", 11, Type.MESSAGE, { ...content, typeName: ".google.protobuf.Int32Value" }),
  field("version", 3, Type.INT32),
  field("color", 4, Type.ENUM, { ...pick, ...color }),
  field("count", 12, Type.SINT64, pick),
  field("ratio", 13, Type.DOUBLE, pick),
  field("flag", 14, Type.BOOL, pick),
  field("big", 15, Type.UINT64, { ...pick, options: { jstype: JsType.JS_STRING } }),
  field("value", 16, Type.MESSAGE, { ...pick, typeName: ".google.protobuf.Value" }),
  field("mask", 17, Type.FIXED32, pick),
  field("tags", 5, Type.STRING, repeated),
  field("o_count", 6, Type.INT32, { proto3Optional: true, oneofIndex: 2 }),
];

const fileProto = create(FileDescriptorProtoSchema, {
  name: "wiretest/v1/wiretest.proto",
  package: "wiretest.v1",
  syntax: "proto3",
  dependency: [
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/wrappers.proto",
  ],
  enumType: [
    {
      name: "Color",
      value: [
        { name: "COLOR_UNSPECIFIED", number: 0 },
        { name: "COLOR_RED", number: 1 },
        { name: "COLOR_BLUE", number: 2 },
      ],
    },
  ],
  messageType: [
    {
      name: "Scalars",
      field: scalars,
      oneofDecl: [{ name: "_o_int32" }, { name: "_o_string" }, { name: "_o_enum" }, { name: "_o_double" }],
    },
    { name: "Repeated", field: repeatedFields },
    { name: "Nested", field: nested },
    {
      name: "WithOneof",
      field: [
        field("text", 1, Type.STRING, { oneofIndex: 0 }),
        field("number", 2, Type.INT32, { oneofIndex: 0 }),
      ],
      oneofDecl: [{ name: "choice" }],
    },
    {
      name: "Oneofs",
      field: oneofs,
      oneofDecl: [{ name: "content" }, { name: "pick" }, { name: "_o_count" }],
    },
    {
      name: "WithWrapper",
      field: [field("count", 1, Type.MESSAGE, { typeName: ".google.protobuf.Int32Value" })],
    },
    {
      name: "WithMap",
      field: [
        field("counts", 1, Type.MESSAGE, { ...repeated, typeName: ".wiretest.v1.WithMap.CountsEntry" }),
      ],
      nestedType: [
        {
          name: "CountsEntry",
          field: [field("key", 1, Type.STRING), field("value", 2, Type.INT32)],
          options: { mapEntry: true },
        },
      ],
    },
  ],
});

const registry = createFileRegistry(fileProto, (name) =>
  [
    file_google_protobuf_struct,
    file_google_protobuf_timestamp,
    file_google_protobuf_duration,
    file_google_protobuf_wrappers,
  ].find((file) => file.proto.name === name),
);

function message(name: string): DescMessage {
  const desc = registry.getMessage(`wiretest.v1.${name}`);
  if (desc === undefined) throw new Error(`no message ${name}`);
  return desc;
}

/** Every scalar type once, with proto3 optionals. */
export const ScalarsSchema = message("Scalars");
/** Every scalar type repeated, packed and not, and repeated messages and Structs. */
export const RepeatedSchema = message("Repeated");
/** Message fields of every kind, including a recursive one and a type left to protobuf-es (Value's Struct). */
export const NestedSchema = message("Nested");
/** A oneof of two scalars. */
export const WithOneofSchema = message("WithOneof");
/** Two oneofs of every member kind, their members' numbers interleaved with the other fields'. */
export const OneofsSchema = message("Oneofs");
/** A map field: left to protobuf-es. */
export const WithMapSchema = message("WithMap");
/** A wrapper type in a singular field, which protobuf-es shows unwrapped: left to protobuf-es. */
export const WithWrapperSchema = message("WithWrapper");
