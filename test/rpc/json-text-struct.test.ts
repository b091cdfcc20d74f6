import { fromBinary, type JsonObject } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import {
  JsonTextDepthError,
  JsonTextError,
  writeJsonTextAsStruct,
} from "../../src/rpc/wire/json-text-struct.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { decodeStruct } from "../../src/rpc/wire/struct-reader.js";
import { writeStruct } from "../../src/rpc/wire/struct-writer.js";
import { MAX_MESSAGE_DEPTH, WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { WireWriter } from "../../src/rpc/wire/wire-writer.js";
import { deepJsonText, SHAPES } from "../support/deep-data.js";
import { bytes, delimited } from "./support/wire-bytes.js";

/**
 * Stored JSON text straight to Struct bytes, against the path it replaces: `writeStruct.write` of
 * `JSON.parse(text)`. Byte for byte for any text JSON.stringify writes; for any bytes at all, a JsonTextError
 * exactly where JSON.parse fails (or gives no object), and otherwise bytes that read back as what JSON.parse gives.
 */

/** The depth of Session.data in a GetSessionResponse: the response is 1, the Session 2, its Struct 3. */
const DEPTH = 3;

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** A writer small enough that most cases make it grow. */
const smallWriter = () => new WireWriter(16);

/** What the transcoder writes for `json`, as hex (so that a failure shows where the bytes part). */
function transcoded(json: Uint8Array | string, depth = DEPTH): string {
  const writer = smallWriter();
  writeJsonTextAsStruct(writer, typeof json === "string" ? utf8(json) : json, depth);
  return writer.finish().toString("hex");
}

/** What the object path writes for `json`: writeStruct.write of JSON.parse of its UTF-8 decoding, as hex. */
function objectPath(json: Uint8Array | string, depth = DEPTH): string {
  const text = typeof json === "string" ? json : Buffer.from(json).toString("utf8");
  const writer = smallWriter();
  writeStruct(writer, JSON.parse(text), depth);
  return writer.finish().toString("hex");
}

/** `JSON.parse` of the bytes' UTF-8 decoding if it is an object; else undefined (rejected, or not an object). */
function parsedObject(json: Uint8Array): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(json).toString("utf8"));
  } catch {
    return undefined;
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** Struct bytes read back by the struct reader. */
function readStruct(hex: string): JsonObject {
  return decodeStruct(Buffer.from(hex, "hex"), DEPTH);
}

/** Rule 2: a JsonTextError exactly when JSON.parse rejects the bytes or gives no object; else the same value. */
function expectAsJsonParse(json: Uint8Array): void {
  const expected = parsedObject(json);
  if (expected === undefined) {
    expect(() => transcoded(json)).toThrow(JsonTextError);
  } else {
    expect(readStruct(transcoded(json))).toEqual(expected);
  }
}

const long = (length: number, unit: string) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Big enough that the lengths of its entries, values and lists take two or three bytes. */
const BIG = JSON.stringify({
  user: { id: 8631235, name: long(150, "n"), tags: Array.from({ length: 40 }, (_, i) => `tag-${i}`) },
  cart: Array.from({ length: 2000 }, (_, i) => ({ sku: `SKU-${i}`, qty: i % 5, price: i * 1.25 })),
  nested: { deeper: { deepest: Array.from({ length: 100 }, (_, i) => ({ [`k${i}`]: [i, `v${i}`] })) } },
});

/** Hand-written objects, each given as JSON text exactly as JSON.stringify writes it, or as written here. */
const cases: [string, string][] = [
  ["empty object", "{}"],
  ["empty key and empty string", '{"":""}'],
  ["every scalar kind", '{"s":"text","n":42,"f":-1.5,"t":true,"no":false,"null":null}'],
  ["nested objects and arrays", '{"a":{"b":{"c":[1,[2,[3,{}]],[],{"d":[null]}]}},"e":[[],[[]]]}'],
  ["-0", '{"z":-0,"list":[-0,0]}'],
  ["overflow to ±Infinity", '{"big":1e400,"small":-1e400,"list":[1E+999]}'],
  ["the smallest subnormal and underflow to 0", '{"tiny":5e-324,"gone":1e-400,"negative":-1e-400}'],
  ["the largest double", '{"max":1.7976931348623157e308}'],
  [
    "integers around the exact fast path",
    '{"a":999999999999999,"b":-99999999999999,"c":1234567890123456789}',
  ],
  [
    "more integers",
    '{"a":0,"b":-1,"c":9007199254740993,"d":-9007199254740993,"e":100,"f":10000000000000000}',
  ],
  ["fractions and exponents", '{"a":0.1,"b":1e21,"c":1.0,"d":0.30000000000000004,"e":2E-3,"f":-0.0e+0}'],
  ["many digits", '{"a":3.141592653589793238462643383279,"b":0.000000000000000000000000000001}'],
  ["unicode", '{"é":"café","€":"€100","日本":"日本語","emoji":"😀👍🏽","mixed":"a😀b"}'],
  ["U+FEFF, U+2028 and DEL inside strings", '{"\uFEFFk":"\uFEFFv\u2028\u2029\u007F"}'],
  ["escapes JSON.stringify writes", JSON.stringify({ e: '"\\\b\f\n\r\t\u0000\u001f' })],
  ["escapes JSON.stringify does not write", '{"slash":"\\/","e":"\\u00e9\\u20AC\\u0041","k\\u0065y":1}'],
  ["an escaped surrogate pair", '{"pair":"\\ud83d\\ude00","upper":"\\uD83D\\uDE00"}'],
  ["lone surrogates", '{"high":"\\ud800","low":"\\udfff","reversed":"\\udc00\\ud800","end":"a\\ud83d"}'],
  [
    "a high surrogate before another escape",
    '{"a":"\\ud83d\\u0041","b":"\\ud83d\\ud83d\\ude00","c":"\\ud83d\\n"}',
  ],
  ["a lone surrogate JSON.stringify escapes", JSON.stringify({ "\ud800": "x\udc00y" })],
  ["escapes beside multi-byte text", '{"a":"é\\n€\\"😀\\\\","b":"\\té"}'],
  ["a __proto__ key", '{"__proto__":{"admin":true},"a":1}'],
  ["integer-like keys, in Object.keys order", JSON.stringify(JSON.parse('{"b":1,"2":2,"a":3,"1":4}'))],
  ["strings of 127 and 128 bytes", JSON.stringify({ a: long(127, "x"), b: long(128, "y") })],
  ["multi-byte strings around 127 bytes", JSON.stringify({ a: `${long(42, "€")}x`, b: long(43, "€") })],
  ["a 200-byte string with an escape", JSON.stringify({ a: `${long(100, "x")}\n${long(100, "y")}` })],
  ["a 20 KiB string (a 3-byte length)", JSON.stringify({ s: long(20_000, "abcdefgh") })],
  ["a 20 KiB string with escapes", JSON.stringify({ s: long(20_000, 'ab"c\\d\né€😀') })],
  ["a 20 KiB key", JSON.stringify({ [long(20_000, "k")]: 1 })],
  ["a big nested object (lengths moved by join)", BIG],
  ["whitespace everywhere", ' \t\r\n{ "a" : [ 1 , { "b" :\ttrue } , "x" ] ,\n"c":null } \n'],
];

describe("bytes as writeStruct writes JSON.parse's object", () => {
  it.each(cases)("%s", (_, text) => {
    expect(transcoded(text)).toBe(objectPath(text));
    // Re-stringified (which turns -0 into 0 and ±Infinity into null), indented.
    for (const indent of [2, "\t"]) {
      const indented = JSON.stringify(JSON.parse(text), null, indent);
      expect(transcoded(indented)).toBe(objectPath(indented));
    }
  });

  it("writes at the writer's position, inside an enclosing message, and leaves it ready for more", () => {
    const text = JSON.stringify({ a: long(300, "x"), b: [1, 2, 3] });
    const write = (body: (writer: WireWriter) => void) => {
      const writer = smallWriter();
      writer.string("before");
      const start = writer.forkField((2 << 3) | 2);
      body(writer);
      writer.join(start);
      writer.string("after");
      return writer.finish().toString("hex");
    };
    expect(write((writer) => writeJsonTextAsStruct(writer, utf8(text), DEPTH))).toBe(
      write((writer) => writeStruct(writer, JSON.parse(text), DEPTH)),
    );
  });

  it("reads a Uint8Array view into a larger buffer, and a plain Uint8Array", () => {
    const text = '{"a":"é","b":[1.5,"x"]}';
    const padded = Buffer.concat([utf8('junk"{'), utf8(text), utf8('"}junk')]);
    expect(transcoded(padded.subarray(6, 6 + utf8(text).length))).toBe(objectPath(text));
    expect(transcoded(new Uint8Array(utf8(text)))).toBe(objectPath(text));
  });

  it("writes a Struct that Session decoders read back as JSON.parse's object", () => {
    const data = JSON.parse(BIG) as JsonObject;
    const session = bytes(delimited(2, Buffer.from(transcoded(BIG), "hex")));
    expect(messageCodec(SessionSchema).decode(session).content).toEqual({ case: "data", value: data });
    expect(fromBinary(SessionSchema, session).content).toEqual({ case: "data", value: data });
  });

  const keys = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom("__proto__", "constructor", "0", "1", "10", "4294967295", "-1", ""),
  );
  const objects = (stringUnit: "grapheme-ascii" | "binary" | "grapheme") =>
    fc.dictionary(keys, fc.jsonValue({ maxDepth: 4, stringUnit }), { maxKeys: 8 });
  const anyObject = fc.oneof(objects("grapheme-ascii"), objects("binary"), objects("grapheme"));

  it("writes the same bytes for arbitrary JSON objects, compact or indented", () => {
    fc.assert(
      fc.property(anyObject, fc.constantFrom(undefined, 2, "\t", " \r\n"), (object, indent) => {
        const text = JSON.stringify(object, null, indent);
        expect(transcoded(text)).toBe(objectPath(text));
      }),
      { numRuns: 1500 },
    );
  });

  it("reads any number JSON's grammar allows as JSON.parse does", () => {
    const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
    const numberText = fc.stringMatching(/^-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?$/);
    fc.assert(
      fc.property(fc.array(fc.oneof(numberText, finiteDouble.map(String)), { maxLength: 5 }), (numbers) => {
        const text = `{"n":[${numbers.join(",")}]}`;
        expect(transcoded(text)).toBe(objectPath(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("what JSON.parse rejects, or does not make an object of", () => {
  const rejected: [string, string][] = [
    ["empty input", ""],
    ["whitespace only", " \n\t\r "],
    ["a BOM before the object", "\uFEFF{}"],
    ["other Unicode spaces", "\u00A0{}"],
    ["form feed as whitespace", "{\f}"],
    ["vertical tab", '{"a":\v1}'],
    ["an array", "[1,2]"],
    ["a string", '"{}"'],
    ["a number", "1"],
    ["null", "null"],
    ["true", "true"],
    ["an unclosed object", '{"a":1'],
    ["a stray closing brace", "}"],
    ["a second object", "{}{}"],
    ["trailing text", "{} x"],
    ["a trailing NUL", "{}\u0000"],
    ["a trailing comma in an object", '{"a":1,}'],
    ["a trailing comma in an array", '{"a":[1,]}'],
    ["a leading comma", "{,}"],
    ["an empty element", '{"a":[1,,2]}'],
    ["a missing value", '{"a":}'],
    ["a missing colon", '{"a" 1}'],
    ["a missing comma", '{"a":1 "b":2}'],
    ["a key alone", '{"a"}'],
    ["an unquoted key", "{a:1}"],
    ["a number key", "{1:1}"],
    ["single quotes", "{'a':1}"],
    ["a leading zero", '{"a":01}'],
    ["a negative leading zero", '{"a":-01}'],
    ["a bare minus", '{"a":-}'],
    ["a plus sign", '{"a":+1}'],
    ["a leading dot", '{"a":.5}'],
    ["a trailing dot", '{"a":1.}'],
    ["a dot before the exponent", '{"a":1.e5}'],
    ["an empty exponent", '{"a":1e}'],
    ["an exponent sign alone", '{"a":1e+}'],
    ["hex", '{"a":0x10}'],
    ["NaN", '{"a":NaN}'],
    ["Infinity", '{"a":Infinity}'],
    ["a truncated literal", '{"a":tru}'],
    ["a capitalized literal", '{"a":True}'],
    ["a literal run on", '{"a":nulll}'],
    ["a truncated literal at the end", '{"a":fals'],
    ["an unterminated string", '{"a":"abc'],
    ["an unterminated key", '{"abc'],
    ["a backslash at the end", '{"a":"\\'],
    ["an escaped closing quote", '{"a":"\\"}'],
    ["a raw control character", '{"a":"x\u0001y"}'],
    ["a raw newline", '{"a":"x\ny"}'],
    ["a raw tab in a key", '{"a\tb":1}'],
    ["an unknown escape", '{"a":"\\x41"}'],
    ["an escaped single quote", '{"a":"\\\'"}'],
    ["a short \\u escape", '{"a":"\\u12"}'],
    ["a \\u escape cut by the end", '{"a":"\\u00'],
    ["a non-hex \\u escape", '{"a":"\\u12G4"}'],
    ["a \\U escape", '{"a":"\\U0041"}'],
    ["a bad escape after a high surrogate", '{"a":"\\ud83d\\uZZZZ"}'],
    ["a comment", '{"a":1 /* c */}'],
    ["an unquoted string value", '{"a":b}'],
  ];

  it.each(rejected)("%s", (_, text) => {
    expect(parsedObject(utf8(text))).toBeUndefined();
    expect(() => transcoded(text)).toThrow(JsonTextError);
  });

  it("never quotes the input in its message", () => {
    for (const text of ['{"secret":"hunter2"', '{"secret":hunter2}', '"hunter2"', '{"hunter2":1}x']) {
      try {
        transcoded(text);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(JsonTextError);
        expect((error as Error).name).toBe("JsonTextError");
        expect((error as Error).message).not.toContain("hunter2");
      }
    }
  });

  it("rejects bytes >= 0x80 outside strings, valid UTF-8 or not", () => {
    for (const junk of [[0xc3, 0xa9], [0x80], [0xff], [0xef, 0xbb, 0xbf]]) {
      for (const json of [bytes(junk, [...utf8("{}")]), bytes([...utf8('{"a":1')], junk, [0x7d])]) {
        expect(parsedObject(json)).toBeUndefined();
        expect(() => transcoded(json)).toThrow(JsonTextError);
      }
    }
  });
});

describe("texts JSON.stringify does not write", () => {
  it("writes every entry of duplicate keys: readers keep the last one, as JSON.parse does", () => {
    for (const text of [
      '{"a":1,"b":2,"a":3}',
      '{"a":{"x":1},"a":{"y":2}}',
      '{"__proto__":1,"__proto__":[2]}',
    ]) {
      expectAsJsonParse(utf8(text));
      const session = bytes(delimited(2, Buffer.from(transcoded(text), "hex")));
      expect(messageCodec(SessionSchema).decode(session).content).toEqual({
        case: "data",
        value: JSON.parse(text),
      });
    }
  });

  it("writes integer-like keys in text order, which read back as JSON.parse's object", () => {
    const text = '{"b":1,"2":2,"a":3,"1":4}';
    expect(readStruct(transcoded(text))).toEqual(JSON.parse(text));
  });

  it("writes invalid UTF-8 in strings as Buffer#toString decodes it (U+FFFD), byte for byte", () => {
    const invalid = [
      [0x80],
      [0xff],
      [0xc3],
      [0xc0, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // truncated
      [0xf0, 0x9f, 0x98], // truncated before the quote
      [0x61, 0xe2, 0x82, 0x61],
    ];
    for (const junk of invalid) {
      for (const json of [
        bytes([...utf8('{"a":"')], junk, [...utf8('"}')]),
        bytes([...utf8('{"')], junk, [...utf8('":"x"}')]),
        bytes([...utf8('{"a":"\\n')], junk, [...utf8('\\u00e9"}')]),
        bytes([...utf8('{"a":"\\ud83d')], junk, [...utf8('\\ude00"}')]),
        bytes([...utf8(`{"a":"${long(150, "x")}`)], junk, [...utf8(`${long(150, "é")}"}`)]),
      ]) {
        expect(transcoded(json)).toBe(objectPath(json));
      }
    }
  });

  it("reads arbitrary bytes as JSON.parse does: a JsonTextError exactly where it fails, else its object", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (json) => expectAsJsonParse(json)),
      { numRuns: 2000 },
    );
  });

  it("reads JSON-like token soup as JSON.parse does", () => {
    const tokens = fc.constantFrom(
      ...[
        "{",
        "}",
        "[",
        "]",
        '"',
        '"a"',
        '"k":',
        ":",
        ",",
        " ",
        "\n",
        "\t",
        "\\",
        "\\u",
        "\\ud83d",
        "\\ude00",
      ],
      ...["\\n", "\\/", "0", "1", "9", "-", ".", "e", "E", "+", "00", "true", "false", "null", "tru", "x"],
      ...["é", "😀", "\u0001", "\u007f", "\uFEFF", "\u00A0", "\uFFFD"],
    );
    const junk = fc.constantFrom([0x80], [0xc3], [0xed, 0xa0, 0x80], [0xff]);
    const soup = fc
      .array(fc.oneof({ weight: 9, arbitrary: tokens.map((token) => [...utf8(token)]) }, junk), {
        maxLength: 30,
      })
      .map((parts) => bytes([...utf8("{")], ...parts));
    fc.assert(
      fc.property(soup, (json) => expectAsJsonParse(json)),
      { numRuns: 3000 },
    );
  });

  it("reads mutations of valid JSON (bytes flipped, inserted, deleted) as JSON.parse does", () => {
    const text = fc
      .tuple(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3, stringUnit: "grapheme" }), { maxKeys: 6 }),
        fc.constantFrom(undefined, 1),
      )
      .map(([object, indent]) => [...utf8(JSON.stringify(object, null, indent))]);
    const edit = fc.record({
      kind: fc.constantFrom("flip", "insert", "delete"),
      at: fc.nat(),
      byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...utf8('{}[]":,\\u0-.eE tfn'))),
    });
    fc.assert(
      fc.property(text, fc.array(edit, { minLength: 1, maxLength: 3 }), (original, edits) => {
        const json = [...original];
        for (const { kind, at, byte } of edits) {
          const i = at % (json.length + 1);
          if (kind === "insert") json.splice(i, 0, byte);
          else if (i < json.length) json.splice(i, 1, ...(kind === "flip" ? [byte] : []));
        }
        expectAsJsonParse(Uint8Array.from(json));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("depth", () => {
  const nested = (levels: number, open: string, close: string, inner = "1") =>
    open.repeat(levels) + inner + close.repeat(levels);
  const objects = (levels: number) => `{"a":${nested(levels, '{"a":', "}")}}`;
  const arrays = (levels: number) => `{"a":${nested(levels, "[", "]")}}`;
  const mixed = (levels: number) => `{"a":${nested(levels, '[{"a":', "}]", "{}")}}`;

  /** The outcome of `write`: hex bytes, or the error's class and message. */
  function outcome(write: () => string): string {
    try {
      return write();
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  }

  it("throws a WireEncodeError exactly where writeStruct does, near MAX_MESSAGE_DEPTH", () => {
    let thrown = 0;
    for (const shape of [objects, arrays, mixed]) {
      for (let levels = 20; levels <= 52; levels++) {
        for (const depth of [1, DEPTH, 4]) {
          const text = shape(levels);
          const expected = outcome(() => objectPath(text, depth));
          expect(outcome(() => transcoded(text, depth))).toBe(expected);
          if (expected.startsWith("WireEncodeError")) thrown++;
        }
      }
    }
    expect(thrown).toBeGreaterThan(50);
  });

  it("checks the Struct and each Value's depth at the edge, as writeStruct does", () => {
    for (const depth of [
      MAX_MESSAGE_DEPTH - 2,
      MAX_MESSAGE_DEPTH - 1,
      MAX_MESSAGE_DEPTH,
      MAX_MESSAGE_DEPTH + 1,
    ]) {
      for (const text of ["{}", '{"a":1}', '{"a":[]}', '{"a":{}}', '{"a":[1]}']) {
        const expected = outcome(() => objectPath(text, depth));
        expect(outcome(() => transcoded(text, depth))).toBe(expected);
      }
    }
    expect(() => transcoded("{}", MAX_MESSAGE_DEPTH + 1)).toThrow(WireEncodeError);
    expect(transcoded("{}", MAX_MESSAGE_DEPTH)).toBe("");
  });

  it("reports invalid text as JsonTextError even past the depth limit, as JSON.parse fails first", () => {
    expect(() => transcoded(`${objects(60)},`)).toThrow(JsonTextError);
    expect(() => transcoded(arrays(60).slice(0, -1))).toThrow(JsonTextError);
    expect(() => transcoded("[".repeat(200_000))).toThrow(JsonTextError);
    expect(() => transcoded(`{"a":${"[".repeat(200_000)}${"]".repeat(200_000)}}`)).toThrow(WireEncodeError);
  });

  it("writes what JSON.parse keeps when a duplicate key replaces a value too deep", () => {
    const text = `{"a":${nested(60, "[", "]")},"b":2,"a":1}`;
    expect(transcoded(text)).toBe(objectPath(text));
    expect(readStruct(transcoded(text))).toEqual({ a: 1, b: 2 });
  });
});

describe("a limit on levels of objects and arrays (a store's maxDataDepth)", () => {
  /** Texts of data nested `levels` deep (the top-level object is 1): a number innermost, or an empty container. */
  const texts = (levels: number) => ({
    ...Object.fromEntries(SHAPES.map((shape) => [shape, deepJsonText(levels, shape)])),
    "an empty object innermost": levels === 1 ? "{}" : deepJsonText(levels - 1, "objects").replace("7", "{}"),
    "an empty array innermost": levels === 1 ? "{}" : deepJsonText(levels - 1, "lists").replace("7", "[]"),
  });
  /** Transcoded with a level limit, as hex. */
  function limited(text: string, maxLevels: number): string {
    const writer = smallWriter();
    writeJsonTextAsStruct(writer, utf8(text), DEPTH, maxLevels);
    return writer.finish().toString("hex");
  }

  it("writes the same bytes up to the limit and throws a JsonTextDepthError naming it one level past", () => {
    for (const limit of [1, 2, 3, 8, 32, 49]) {
      for (const [shape, text] of Object.entries(texts(limit))) {
        expect(limited(text, limit), `${shape} at ${limit}`).toBe(objectPath(text));
      }
      for (const [shape, text] of Object.entries(texts(limit + 1))) {
        expect(() => limited(text, limit), `${shape} at ${limit + 1}`).toThrow(JsonTextDepthError);
        expect(() => limited(text, limit)).toThrow(`deeper than ${limit} levels`);
      }
    }
  });

  it("counts the top-level object as level 1, and an empty object or array as a level", () => {
    expect(limited("{}", 1)).toBe("");
    expect(limited('{"a":1}', 1)).toBe(objectPath('{"a":1}'));
    expect(() => limited('{"a":[]}', 1)).toThrow(JsonTextDepthError);
    expect(() => limited('{"a":{}}', 1)).toThrow(JsonTextDepthError);
    expect(limited('{"a":[],"b":{}}', 2)).toBe(objectPath('{"a":[],"b":{}}'));
  });

  it("stops at the limit in a text 200,000 levels deep, before anything past it is read", () => {
    expect(() => limited(`{"a":${"[".repeat(200_000)}`, 32)).toThrow(JsonTextDepthError);
  });

  it("counts levels in the text as written, even where a duplicate key hides them from JSON.parse", () => {
    const text = `{"a":${"[".repeat(40)}${"]".repeat(40)},"a":1}`;
    expect(() => limited(text, 32)).toThrow(JsonTextDepthError);
  });
});
