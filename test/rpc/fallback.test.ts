import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  AnySchema,
  DescriptorProtoSchema,
  DurationSchema,
  EmptySchema,
  FieldMaskSchema,
  ListValueSchema,
  StructSchema,
  TimestampSchema,
  type Value,
  ValueSchema,
} from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { GetStoreStatsResponseSchema } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import {
  NestedSchema,
  OneofsSchema,
  WithMapSchema,
  WithOneofSchema,
  WithWrapperSchema,
} from "./support/test-schemas.js";
import { bytes, delimited, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Types the compiler leaves to protobuf-es, decided from the descriptor once: they are (de)serialized by
 * protobuf-es itself, alone or inside compiled messages, with the same depth limit and error type.
 */

describe("which types are compiled", () => {
  it.each([
    [StructSchema, "a map field (fields)"],
    [WithMapSchema, "a map field (counts)"],
    [WithWrapperSchema, "a wrapper type field (count)"],
    [GetStoreStatsResponseSchema, "a map field (encodings)"],
    [DescriptorProtoSchema, "proto2 syntax"],
  ] as const)("leaves %s to protobuf-es", (schema: DescMessage, reason) => {
    expect(compileCodec(schema).fallbackReason).toBe(reason);
  });

  it.each([
    SessionSchema,
    ListValueSchema,
    TimestampSchema,
    DurationSchema,
    AnySchema,
    FieldMaskSchema,
    EmptySchema,
    NestedSchema,
    // Oneofs, a wrapper type among their members (a message there, not unwrapped).
    ValueSchema,
    WithOneofSchema,
    OneofsSchema,
    ServerReflectionRequestSchema,
    ServerReflectionResponseSchema,
  ])("compiles %s", (schema: DescMessage) => {
    expect(compileCodec(schema).fallbackReason).toBeUndefined();
  });
});

describe("protobuf-es at work", () => {
  it.each([
    [StructSchema, { fields: { a: { kind: { case: "boolValue", value: true } } } }],
    [WithMapSchema, { counts: { a: 1, b: 2 } }],
    [WithWrapperSchema, { count: 7 }],
  ] as const)("encodes and decodes a standalone %s exactly as protobuf-es", (schema: DescMessage, init) => {
    const codec = compileCodec(schema);
    const theirs = toBinary(schema, create(schema, init as never));
    expect(codec.encode(init as never)).toEqual(Buffer.from(theirs));
    expect(codec.decode(theirs)).toEqual(fromBinary(schema, theirs));
  });

  it("merges a protobuf-es message field that occurs twice, as protobuf-es", () => {
    // Nested.value's struct_value: a Struct message, which protobuf-es merges into what the compiled Value holds.
    const struct = (key: string, flag: boolean) =>
      toBinary(
        NestedSchema,
        create(NestedSchema, {
          value: {
            kind: {
              case: "structValue",
              value: { fields: { [key]: { kind: { case: "boolValue", value: flag } } } },
            },
          },
        }),
      );
    const input = Buffer.concat([struct("a", true), struct("b", true), struct("a", false)]);
    const decoded = compileCodec(NestedSchema).decode(input);
    expect(decoded).toEqual(fromBinary(NestedSchema, input));
    const { kind } = (decoded as unknown as { value: Value }).value;
    const fields = kind.case === "structValue" ? kind.value.fields : {};
    expect(Object.keys(fields)).toEqual(["a", "b"]);
    expect(fields.a?.kind).toEqual({ case: "boolValue", value: false });
  });

  it("writes back the unknown fields protobuf-es kept on a message it decoded", () => {
    const withUnknown = bytes(text(1, "key"), tag(99, 0), varint(5), delimited(98, [1, 2]));
    const message = fromBinary(SessionSchema, withUnknown);
    expect(compileCodec(SessionSchema).encode(message)).toEqual(
      Buffer.from(toBinary(SessionSchema, message)),
    );
  });

  it("wraps protobuf-es's decoding errors in a WireDecodeError", () => {
    const codec = compileCodec(StructSchema);
    const truncated = bytes(tag(1, 2), [5, 0x0a]); // a fields entry of 5 bytes, 1 there
    expect(() => codec.decode(truncated)).toThrow(WireDecodeError);
    expect(() => codec.decode(truncated)).toThrow(/^cannot decode google\.protobuf\.Struct: premature EOF/);
  });

  it("gives protobuf-es what remains of the depth budget", () => {
    // Nested.value is a Value (compiled) at depth 2, its struct_value a Struct (protobuf-es) at 3, whose entry's
    // Value is at 4; each list_value adds a ListValue and a Value.
    const at = (levels: number) => {
      let value: number[] = [];
      for (let level = 0; level < levels; level++) value = delimited(6, delimited(1, value));
      return bytes(delimited(8, delimited(5, delimited(1, [...text(1, "a"), ...delimited(2, value)]))));
    };
    for (const levels of [47, 48, 49]) {
      const input = at(levels);
      let theirs: unknown;
      try {
        theirs = fromBinary(NestedSchema, input);
      } catch {
        expect(() => compileCodec(NestedSchema).decode(input)).toThrow(/maximum recursion depth/);
        continue;
      }
      expect(compileCodec(NestedSchema).decode(input)).toEqual(theirs);
    }
    expect(() => fromBinary(NestedSchema, at(49))).toThrow();
    expect(() => compileCodec(NestedSchema).decode(at(48))).not.toThrow();
  });

  it("encodes standalone Struct messages (and Values and ListValues) like protobuf-es, for random values", () => {
    for (const schema of [ValueSchema, StructSchema, ListValueSchema]) {
      const codec = compileCodec(schema);
      fc.assert(
        fc.property(initArbitrary(schema), (init) => {
          const message = create(schema, init);
          expect(codec.encode(init)).toEqual(Buffer.from(toBinary(schema, message)));
          expect(codec.decode(toBinary(schema, message))).toEqual(
            fromBinary(schema, toBinary(schema, message)),
          );
        }),
        { numRuns: 300 },
      );
    }
  });
});
