import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GetSessionResponseSchema, SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { WireDecodeError, WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { RepeatedSchema, ScalarsSchema } from "./support/test-schemas.js";
import { bytes, delimited } from "./support/wire-bytes.js";

/**
 * The writer's and reader's building blocks, at their edges: strings of every size and alphabet, length prefixes
 * that need a second or third byte, the scratch buffer growing and never shared, out-of-range values.
 */

const session = compileCodec(SessionSchema);
const response = compileCodec(GetSessionResponseSchema);
const theirs = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) =>
  Buffer.from(toBinary(schema, create(schema, init)));

describe("strings", () => {
  const anyText = fc.oneof(
    fc.string({ maxLength: 600 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.string({ unit: "grapheme", maxLength: 100 }),
    fc
      .array(fc.constantFrom("a", "é", "€", "\uD83D\uDE00", "\uD800", "\uDFFF"), { maxLength: 200 })
      .map((units) => units.join("")),
  );

  it("writes every string as protobuf-es (lone surrogates as U+FFFD), and reads it back", () => {
    fc.assert(
      fc.property(anyText, (key) => {
        expect(session.encode({ key })).toEqual(theirs(SessionSchema, { key }));
        expect(session.decode(session.encode({ key })).key).toBe(Buffer.from(key, "utf8").toString("utf8"));
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects invalid UTF-8 exactly where a fatal TextDecoder does, and otherwise reads what it reads", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const utf8ish = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 0x7f }),
        fc.integer({ min: 0x80, max: 0xff }),
        fc.constantFrom(0xef, 0xbf, 0xbd),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(utf8ish, (content) => {
        const input = bytes(delimited(1, content));
        let expected: string | undefined;
        try {
          expected = fatal.decode(Uint8Array.from(content));
        } catch {
          expect(() => session.decode(input)).toThrow(WireDecodeError);
          return;
        }
        expect(session.decode(input).key).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("length prefixes", () => {
  it("writes lengths of one, two and three bytes as protobuf-es, around each boundary", () => {
    // The session's length crosses 127/128 and 16383/16384 (its data's just before), the key's 127/128.
    const ranges: [number, number][] = [
      [90, 140],
      [16_330, 16_400],
    ];
    for (const [from, to] of ranges) {
      for (let size = from; size <= to; size++) {
        const content = { case: "data" as const, value: { s: "x".repeat(size) } };
        const init = { session: { key: "k".repeat(size % 200), content } };
        expect(response.encode(init).equals(theirs(GetSessionResponseSchema, init))).toBe(true);
      }
    }
  });

  it("encodes a message of megabytes (growing the scratch buffer), then small ones as before", () => {
    const data = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, "v".repeat(1_000)]));
    const init = { session: { key: "big", content: { case: "data" as const, value: data } } };
    const encoded = response.encode(init);
    // Buffer#equals: toEqual compares megabytes one element at a time.
    expect(encoded.equals(theirs(GetSessionResponseSchema, init))).toBe(true);
    expect(response.decode(encoded).session?.content).toEqual({ case: "data", value: data });
    expect(session.encode({ key: "small" })).toEqual(theirs(SessionSchema, { key: "small" }));
  });

  it("returns buffers of their own: a later encoding never changes an earlier result", () => {
    const first = response.encode({
      session: { key: "a".repeat(40), content: { case: "data", value: { n: 1 } } },
    });
    const copy = Buffer.from(first);
    const second = response.encode({
      session: { key: "b".repeat(40), content: { case: "data", value: { n: 2 } } },
    });
    expect(first).toEqual(copy);
    second.fill(0);
    expect(first).toEqual(copy);
  });
});

describe("scalars", () => {
  it("accepts 64-bit values as bigint, number or decimal string, as create() and toBinary do", () => {
    for (const value of [5, "5", 5n, -1, "-9223372036854775808", 2 ** 53]) {
      const init = { fInt64: value as bigint, fSfixed64: value as bigint, fSint64: value as bigint };
      expect(compileCodec(ScalarsSchema).encode(init)).toEqual(theirs(ScalarsSchema, init));
    }
  });

  it.each([
    ["a negative uint32", ScalarsSchema, { fUint32: -1 }, /Scalars\.f_uint32: invalid value \(number\)/],
    ["a fractional int32", ScalarsSchema, { fInt32: 1.5 }, /f_int32/],
    ["an int32 over 2^31", ScalarsSchema, { fSint32: 2 ** 31 }, /f_sint32/],
    ["a uint32 over 2^32", ScalarsSchema, { fFixed32: 2 ** 32 }, /f_fixed32/],
    ["a float out of range", ScalarsSchema, { fFloat: 1e39 }, /f_float/],
    ["a number for a string", ScalarsSchema, { fString: 5 }, /f_string: invalid value \(number\)/],
    ["a string for bytes", ScalarsSchema, { fBytes: "x" }, /f_bytes/],
    ["a number for a bool", ScalarsSchema, { fBool: 1 }, /f_bool/],
    ["an int64 over 2^63", ScalarsSchema, { fInt64: 2n ** 63n }, /f_int64/],
    ["a negative uint64", ScalarsSchema, { fUint64: -1n }, /f_uint64/],
    ["a non-integer int64", ScalarsSchema, { fInt64: 1.5 }, /f_int64/],
    ["a fractional enum", ScalarsSchema, { fEnum: 1.5 }, /f_enum/],
    ["a list that is no array", RepeatedSchema, { rInt32: 5 }, /r_int32: invalid value \(number\)/],
    ["a null list item", RepeatedSchema, { rMessages: [null] }, /r_messages: invalid value \(null\)/],
    ["a bad item in a packed list", RepeatedSchema, { rUint32: [1, -1] }, /r_uint32/],
  ] as const)(
    "refuses %s with a WireEncodeError naming the field",
    (_, schema: DescMessage, init, message) => {
      const codec = compileCodec(schema);
      expect(() => codec.encode(init as never)).toThrow(WireEncodeError);
      expect(() => codec.encode(init as never)).toThrow(message);
      expect(codec.encode({})).toEqual(Buffer.alloc(0));
    },
  );
});
