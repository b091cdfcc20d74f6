import { create, fromBinary, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EncodedStruct } from "../../src/rpc/wire/encoded-struct.js";
import { structWire } from "../../src/rpc/wire/json-struct.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { WireWriter } from "../../src/rpc/wire/wire-writer.js";
import { OneofsSchema, ScalarsSchema, WithOneofSchema } from "./support/test-schemas.js";
import { bytes, delimited, double, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Oneofs in the compiled codec, where the random messages of codec-equivalence.test.ts do not reach: where a member
 * goes among the other fields, zero values, what is refused, an EncodedStruct member, and what decoding makes of
 * members that protobuf-es never writes twice (the last wins, a message member merges).
 */

const oneofs = compileCodec(OneofsSchema);

/** An init object of `wiretest.v1.Oneofs` (its type is only known at run time). */
type Init = Record<string, unknown>;

const encode = (init: Init) => oneofs.encode(init as never);
const theirBytes = (init: Init) => Buffer.from(toBinary(OneofsSchema, create(OneofsSchema, init as never)));
const decoded = (input: Uint8Array) => oneofs.decode(input) as unknown as Record<string, unknown>;

const scalarsCodec = compileCodec(ScalarsSchema);

/** A `wiretest.v1.Scalars` message's bytes, from an init object. */
const scalars = (init: Init) => [...scalarsCodec.encode(init as never)];

/** The bytes of a Struct holding `object`, as a Struct field carries them. */
const struct = (object: JsonObject) => {
  const writer = new WireWriter();
  structWire.write(writer, object, 2);
  return [...writer.finish()];
};

describe("encoding", () => {
  it("writes the selected member where its number falls among the other fields, as protobuf-es", () => {
    const fields = { key: "k", version: 5, tags: ["t"] };
    const cases: [Init, number[][]][] = [
      [
        { content: { case: "data", value: { a: 1 } } },
        [text(1, "k"), delimited(2, struct({ a: 1 })), tag(3, 0), [5], text(5, "t")],
      ],
      [
        { content: { case: "dataJson", value: "{}" } },
        [text(1, "k"), tag(3, 0), [5], text(5, "t"), text(7, "{}")],
      ],
      [{ pick: { case: "color", value: 2 } }, [text(1, "k"), tag(3, 0), [5], tag(4, 0), [2], text(5, "t")]],
    ];
    for (const [oneof, expected] of cases) {
      const init = { ...fields, ...oneof };
      expect([...encode(init)]).toEqual(expected.flat());
      expect(encode(init)).toEqual(theirBytes(init));
    }
  });

  it("writes both oneofs of a message, each member in field number order", () => {
    const init = {
      pick: { case: "mask", value: 9 },
      content: { case: "raw", value: Uint8Array.of(1) },
      key: "k",
    };
    expect([...encode(init)]).toEqual([...text(1, "k"), ...delimited(8, [1]), ...tag(17, 5), 9, 0, 0, 0]);
    expect(encode(init)).toEqual(theirBytes(init));
  });

  it.each([
    ["an empty string", { content: { case: "dataJson", value: "" } }, text(7, "")],
    ["empty bytes", { content: { case: "raw", value: new Uint8Array(0) } }, delimited(8, [])],
    ["an empty Struct", { content: { case: "data", value: {} } }, delimited(2, [])],
    ["an empty message", { content: { case: "scalars", value: {} } }, delimited(9, [])],
    ["the first enum value", { pick: { case: "color", value: 0 } }, [...tag(4, 0), 0]],
    ["false", { pick: { case: "flag", value: false } }, [...tag(14, 0), 0]],
    ["0", { pick: { case: "count", value: 0n } }, [...tag(12, 0), 0]],
    ["-0", { pick: { case: "ratio", value: -0 } }, [...tag(13, 1), ...double(-0)]],
    ['"0" (a JS_STRING uint64)', { pick: { case: "big", value: "0" } }, [...tag(15, 0), 0]],
  ])(
    "writes a selected member holding %s: a selected case is set, zero or not",
    (_, init: Init, expected) => {
      expect([...encode(init)]).toEqual(expected);
      expect(encode(init)).toEqual(theirBytes(init));
    },
  );

  it.each([
    ["missing", {}],
    ["undefined", { content: undefined }],
    ["null", { content: null }],
    ["without a case", { content: { case: undefined } }],
    ["with a null case", { content: { case: null } }],
    ["with no case but a value", { content: { case: undefined, value: "x" } }],
  ])("writes nothing for a oneof %s, as protobuf-es", (_, oneof: Init) => {
    const init = { key: "k", ...oneof };
    expect([...encode(init)]).toEqual(text(1, "k"));
    expect(encode(init)).toEqual(theirBytes(init));
  });

  it("refuses a case naming no field of the oneof, which protobuf-es drops without a word", () => {
    for (const oneof of [
      { content: { case: "dataJSON", value: "{}" } },
      { content: { case: "flag", value: true } }, // a member of the other oneof
      { content: { case: "key", value: "k" } }, // a field, of no oneof
      { pick: { case: 4, value: 1 } },
    ]) {
      expect(theirBytes(oneof)).toEqual(Buffer.alloc(0));
      expect(() => encode(oneof)).toThrow(WireEncodeError);
      expect(() => encode(oneof)).toThrow(
        /^cannot encode wiretest\.v1\.Oneofs\.(content|pick): its case names none/,
      );
    }
    // The shared writer is left clean: the next message is encoded alone.
    expect([...encode({ key: "k" })]).toEqual(text(1, "k"));
  });

  it.each([
    ["a string", { content: "data" }, /Oneofs\.content: invalid value \(string\)/],
    ["a number", { pick: 4 }, /Oneofs\.pick: invalid value \(number\)/],
    ["an array", { content: [] }, /Oneofs\.content: invalid value \(array\)/],
    [
      "a string case without a value",
      { content: { case: "dataJson" } },
      /Oneofs\.data_json: invalid value \(undefined\)/,
    ],
    [
      "a message case without a value",
      { content: { case: "scalars", value: undefined } },
      /Oneofs\.scalars: invalid value/,
    ],
    [
      "a Struct case holding null",
      { content: { case: "data", value: null } },
      /Oneofs\.data: invalid value \(null\)/,
    ],
    [
      "a value of the wrong type",
      { pick: { case: "count", value: "many" } },
      /Oneofs\.count: invalid value \(string\)/,
    ],
    ["a Struct case holding a list", { content: { case: "data", value: [1] } }, /not a JSON object/],
  ])("refuses a oneof that is %s", (_, init: Init, message) => {
    expect(() => encode(init)).toThrow(WireEncodeError);
    expect(() => encode(init)).toThrow(message);
  });

  it("writes an EncodedStruct given for a Struct member as it is, as the JsonObject it stands for", () => {
    const data = { cart: [1, 2], user: { name: "é" } };
    const encodedStruct = new EncodedStruct(Buffer.from(struct(data)));
    const init = { key: "k", content: { case: "data", value: encodedStruct.asFieldValue() }, version: 2 };
    expect(encode(init)).toEqual(theirBytes({ ...init, content: { case: "data", value: data } }));
    expect(decoded(encode(init)).content).toEqual({ case: "data", value: data });
  });
});

describe("decoding", () => {
  it("makes every oneof of a new message { case: undefined }, exactly as protobuf-es", () => {
    const empty = new Uint8Array(0);
    expect(compileCodec(WithOneofSchema).decode(empty)).toStrictEqual(fromBinary(WithOneofSchema, empty));
    const message = decoded(empty);
    expect(message.content).toStrictEqual({ case: undefined });
    expect(message.pick).toStrictEqual({ case: undefined });
    // One object per message, as protobuf-es makes them: changing one message's oneof changes no other's.
    expect(decoded(empty).content).not.toBe(message.content);
  });

  it("gives every message of a type the same properties in the same order, whatever the bytes hold", () => {
    const keys = Object.keys(decoded(new Uint8Array(0)));
    const full = encode({
      content: { case: "child", value: { key: "c", pick: { case: "flag", value: true } } },
      pick: { case: "value", value: { kind: { case: "nullValue", value: 0 } } },
      key: "k",
      oCount: 0,
    });
    expect(Object.keys(decoded(full))).toEqual(keys);
    const child = decoded(full).content as { value: Record<string, unknown> };
    expect(Object.keys(child.value)).toEqual(keys);
    expect(keys.indexOf("content")).toBeLessThan(keys.indexOf("version")); // in declaration order
  });

  it.each([
    [
      "a string after a Struct",
      [delimited(2, struct({ a: 1 })), text(7, "j")],
      { case: "dataJson", value: "j" },
    ],
    [
      "a Struct after a string",
      [text(7, "j"), delimited(2, struct({ a: 1 }))],
      { case: "data", value: { a: 1 } },
    ],
    [
      "bytes after a message",
      [delimited(9, scalars({ fInt32: 1 })), delimited(8, [7])],
      { case: "raw", value: Uint8Array.of(7) },
    ],
    ["the same scalar member twice", [text(7, "a"), text(7, "b")], { case: "dataJson", value: "b" }],
  ])("keeps the last member on the wire: %s", (_, parts, content) => {
    const input = bytes(...parts);
    expect(decoded(input).content).toEqual(content);
    expect(oneofs.decode(input)).toEqual(fromBinary(OneofsSchema, input));
  });

  it("keeps the last member of each oneof apart, with other fields between them", () => {
    const input = bytes(tag(4, 0), [1], text(1, "k"), tag(14, 0), [1], text(7, "j"), tag(12, 0), varint(5));
    expect(decoded(input)).toMatchObject({
      key: "k",
      content: { case: "dataJson", value: "j" },
      pick: { case: "count", value: -3n }, // sint64: zigzag 5
    });
    expect(oneofs.decode(input)).toEqual(fromBinary(OneofsSchema, input));
  });

  it.each([
    [
      "a Struct, later keys overriding",
      [delimited(2, struct({ a: 1, b: 2 })), delimited(2, struct({ b: 3, c: 4 }))],
      { case: "data", value: { a: 1, b: 3, c: 4 } },
    ],
    [
      "a message",
      [
        delimited(9, scalars({ fInt32: 1, fString: "a" })),
        delimited(9, scalars({ fString: "b", fBool: true })),
      ],
      { case: "scalars", value: expect.objectContaining({ fInt32: 1, fString: "b", fBool: true }) },
    ],
    [
      "a message holding oneofs of its own",
      [
        delimited(10, [...text(1, "c"), ...text(7, "x")]),
        delimited(10, [...tag(3, 0), 2, ...delimited(10, text(1, "grandchild"))]),
      ],
      {
        case: "child",
        value: expect.objectContaining({
          key: "c",
          version: 2,
          content: { case: "child", value: expect.objectContaining({ key: "grandchild" }) },
        }),
      },
    ],
    [
      "a wrapper (a message in a oneof)",
      [delimited(11, [...tag(1, 0), 4]), delimited(11, [])],
      { case: "wrapped", value: expect.objectContaining({ value: 4 }) },
    ],
  ])(
    "merges a message member occurring twice under the same case, as protobuf-es: %s",
    (_, parts, content) => {
      const input = bytes(...parts);
      expect(decoded(input).content).toEqual(content);
      expect(oneofs.decode(input)).toEqual(fromBinary(OneofsSchema, input));
    },
  );

  it("merges a Value member's struct_value twice over, as protobuf-es", () => {
    const structValue = (key: string) =>
      delimited(16, delimited(5, delimited(1, [...text(1, key), ...delimited(2, [...tag(4, 0), 1])])));
    const input = bytes(structValue("a"), structValue("b"));
    expect(oneofs.decode(input)).toEqual(fromBinary(OneofsSchema, input));
    const pick = decoded(input).pick as { value: { kind: { value: { fields: object } } } };
    expect(Object.keys(pick.value.kind.value.fields)).toEqual(["a", "b"]);
  });

  it("starts a message member afresh after another case, as protobuf-es", () => {
    const input = bytes(
      delimited(9, scalars({ fInt32: 1 })),
      text(7, "between"),
      delimited(9, scalars({ fString: "b" })),
      delimited(2, struct({ a: 1 })),
      delimited(8, []),
      delimited(2, struct({ b: 2 })),
    );
    expect(decoded(input).content).toEqual({ case: "data", value: { b: 2 } });
    expect(oneofs.decode(input)).toEqual(fromBinary(OneofsSchema, input));
    const replaced = bytes(
      delimited(9, scalars({ fInt32: 1 })),
      text(7, "between"),
      delimited(9, scalars({})),
    );
    expect(decoded(replaced).content).toEqual({
      case: "scalars",
      value: expect.objectContaining({ fInt32: 0 }),
    });
    expect(oneofs.decode(replaced)).toEqual(fromBinary(OneofsSchema, replaced));
  });
});
