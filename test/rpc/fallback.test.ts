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
  ValueSchema,
} from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ServerReflectionRequestSchema } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { GetStoreStatsResponseSchema } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import { NestedSchema, WithMapSchema, WithOneofSchema } from "./support/test-schemas.js";
import { bytes, delimited, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Types the compiler leaves to protobuf-es, decided from the descriptor once: they are (de)serialized by
 * protobuf-es itself, alone or inside compiled messages, with the same depth limit and error type.
 */

describe("which types are compiled", () => {
  it.each([
    [ValueSchema, "oneof kind"],
    [StructSchema, "a map field (fields)"],
    [WithOneofSchema, "oneof choice"],
    [WithMapSchema, "a map field (counts)"],
    [GetStoreStatsResponseSchema, "a map field (encodings)"],
    [ServerReflectionRequestSchema, "oneof message_request"],
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
  ])("compiles %s", (schema: DescMessage) => {
    expect(compileCodec(schema).fallbackReason).toBeUndefined();
  });
});

describe("protobuf-es at work", () => {
  it.each([
    [ValueSchema, { kind: { case: "numberValue", value: 1.5 } }],
    [StructSchema, { fields: { a: { kind: { case: "boolValue", value: true } } } }],
    [WithMapSchema, { counts: { a: 1, b: 2 } }],
  ] as const)("encodes and decodes a standalone %s exactly as protobuf-es", (schema: DescMessage, init) => {
    const codec = compileCodec(schema);
    const theirs = toBinary(schema, create(schema, init as never));
    expect(codec.encode(init as never)).toEqual(Buffer.from(theirs));
    expect(codec.decode(theirs)).toEqual(fromBinary(schema, theirs));
  });

  it("merges a protobuf-es message field that occurs twice, as protobuf-es", () => {
    const first = toBinary(
      NestedSchema,
      create(NestedSchema, { choice: { choice: { case: "text", value: "a" } } }),
    );
    const second = toBinary(
      NestedSchema,
      create(NestedSchema, { list: { values: [{ kind: { case: "nullValue", value: 0 } }] } }),
    );
    const input = Buffer.concat([first, second, second]);
    expect(compileCodec(NestedSchema).decode(input)).toEqual(fromBinary(NestedSchema, input));
  });

  it("writes back the unknown fields protobuf-es kept on a message it decoded", () => {
    const withUnknown = bytes(text(1, "key"), tag(99, 0), varint(5), delimited(98, [1, 2]));
    const message = fromBinary(SessionSchema, withUnknown);
    expect(compileCodec(SessionSchema).encode(message)).toEqual(
      Buffer.from(toBinary(SessionSchema, message)),
    );
  });

  it("wraps protobuf-es's decoding errors in a WireDecodeError", () => {
    const codec = compileCodec(ValueSchema);
    const truncated = bytes(tag(3, 2), [5, 0x61]); // string_value of 5 bytes, 1 there
    expect(() => codec.decode(truncated)).toThrow(WireDecodeError);
    expect(() => codec.decode(truncated)).toThrow(/^cannot decode google\.protobuf\.Value: premature EOF/);
  });

  it("gives protobuf-es what remains of the depth budget", () => {
    // Nested.value is a Value (protobuf-es) at depth 2; each list_value adds a ListValue and a Value.
    const at = (levels: number) => {
      let value: number[] = [];
      for (let level = 0; level < levels; level++) value = delimited(6, delimited(1, value));
      return bytes(delimited(8, value));
    };
    for (const levels of [48, 49, 50]) {
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
    expect(() => fromBinary(NestedSchema, at(50))).toThrow();
    expect(() => compileCodec(NestedSchema).decode(at(49))).not.toThrow();
  });

  it("encodes standalone Value and Struct messages like protobuf-es, for random values", () => {
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
