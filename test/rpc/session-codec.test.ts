import { create, type DescMessage, fromBinary, type JsonObject, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BatchGetSessionsResponseSchema,
  CreateSessionRequestSchema,
  GetSessionResponseSchema,
  RotateSessionKeyResponseSchema,
  SaveCondition,
  SaveSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { EncodedStruct } from "../../src/rpc/wire/encoded-struct.js";
import { messageCodec, requestDecoder } from "../../src/rpc/wire/message-codec.js";
import { structBytes } from "../../src/rpc/wire/struct-writer.js";
import { WireDecodeError, WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import { bytes, delimited, tag, text, varint } from "./support/wire-bytes.js";

/**
 * The paths of the messages that carry session data, where the random messages of codec-equivalence.test.ts do not
 * reach: an EncodedStruct written as it is, the oneof of a request's data read as protobuf reads it (the last member
 * on the wire wins, a Struct given twice merges, a member starts afresh after another), responses given in parts
 * read as protobuf merges them, and what is refused.
 */

const response = messageCodec(GetSessionResponseSchema);
const save = messageCodec(SaveSessionRequestSchema);
const saveOnServer = requestDecoder(SaveSessionRequestSchema);

const struct = (object: JsonObject) => [...structBytes(object, 2)];
/** SaveSessionRequest's data (3) and data_json (7) members, and its store (1). */
const data = (object: JsonObject) => delimited(3, struct(object));
const dataJson = (json: string) => text(7, json);
const store = text(1, "s");

describe("responses around sessions", () => {
  it("writes an EncodedStruct as it is, as the JsonObject it stands for", () => {
    const value = { cart: [1, 2], user: { name: "é" } };
    const encoded = new EncodedStruct(structBytes(value, 3));
    const session = {
      key: "k",
      content: { case: "data" as const, value: encoded.asFieldValue() },
      version: 2,
    };
    const theirs = toBinary(
      GetSessionResponseSchema,
      create(GetSessionResponseSchema, { session: { ...session, content: { case: "data", value } } }),
    );
    expect(response.encode({ session })).toEqual(Buffer.from(theirs));
    expect(response.decode(response.encode({ session })).session?.content).toEqual({ case: "data", value });
  });

  it("refuses a version out of int32's range, and data that is not an object, with a WireEncodeError", () => {
    expect(() => response.encode({ session: { key: "k", version: 2 ** 31 } })).toThrow(WireEncodeError);
    const list = [1] as unknown as JsonObject;
    expect(() => response.encode({ session: { content: { case: "data", value: list } } })).toThrow(
      /not a JSON object/,
    );
    // The shared writer is left clean: the next response is encoded alone.
    expect(response.encode({ session: { key: "k" } })).toEqual(
      Buffer.from(bytes(delimited(1, text(1, "k")))),
    );
  });
});

describe("messages around sessions given in parts", () => {
  const schemas: DescMessage[] = [
    GetSessionResponseSchema,
    RotateSessionKeyResponseSchema,
    BatchGetSessionsResponseSchema,
    CreateSessionRequestSchema,
    SaveSessionRequestSchema,
  ];
  // Messages in parts: protobuf reads the concatenation of two encodings as the first merged with the second.
  const inParts = fc
    .constantFrom(...schemas)
    .chain((schema) =>
      fc
        .array(initArbitrary(schema), { minLength: 2, maxLength: 3 })
        .map((inits) => [schema, inits.map((init) => toBinary(schema, create(schema, init)))] as const),
    );

  it("reads them as protobuf-es merges them: sessions, times, data, the oneof's last member", () => {
    fc.assert(
      fc.property(inParts, ([schema, parts]) => {
        const input = Buffer.concat(parts);
        const theirs = fromBinary(schema, input);
        expect(messageCodec(schema).decode(input)).toEqual(theirs);
        expect(requestDecoder(schema)(input)).toEqual(theirs);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a known field of a session with another wire type, and a field running past its session", () => {
    const get = (...session: number[][]) => response.decode(bytes(delimited(1, bytes(...session))));
    expect(() => get(tag(3, 2), [0])).toThrow(/field 3 of redisession\.v1\.Session arrived with wire type 2/);
    expect(() => get(tag(4, 0), [1])).toThrow(WireDecodeError);
    // A key whose length runs past the Session into the bytes after it (ASCII: an unknown field 15).
    const input = bytes(delimited(1, bytes(tag(1, 2), [3], [0x61])), text(15, "x"));
    expect(() => response.decode(input)).toThrow(/runs past the end/);
  });
});

describe("a request's data", () => {
  const content = (input: Uint8Array) => save.decode(input).content;

  it.each([
    [
      "data, then data_json: data_json",
      bytes(data({ a: 1 }), store, dataJson("{}")),
      { case: "dataJson", value: "{}" },
    ],
    [
      "data_json, then data: data",
      bytes(dataJson("{}"), store, data({ a: 1 })),
      { case: "data", value: { a: 1 } },
    ],
    [
      "data twice: merged, later keys winning",
      bytes(data({ a: 1, b: 1 }), store, data({ b: 2 })),
      { case: "data", value: { a: 1, b: 2 } },
    ],
    [
      "data, data_json, data: the last data alone",
      bytes(data({ a: 1 }), dataJson("{}"), data({ b: 2 })),
      { case: "data", value: { b: 2 } },
    ],
  ])("reads %s, as protobuf-es does", (_, input, expected) => {
    expect(content(input)).toEqual(expected);
    expect(fromBinary(SaveSessionRequestSchema, input).content).toEqual(expected);
    expect(saveOnServer(Buffer.from(input)).content).toEqual(expected);
  });

  it("reads the other fields wherever they are, around the data, and skips unknown ones", () => {
    const input = bytes(
      tag(5, 0),
      varint(SaveCondition.MUST_EXIST),
      data({ a: 1 }),
      text(2, "k"),
      text(99, "x"),
      store,
    );
    const message = save.decode(input);
    expect(message).toEqual({
      ...fromBinary(SaveSessionRequestSchema, input, { readUnknownFields: false }),
      content: { case: "data", value: { a: 1 } },
    });
    expect([message.store, message.key, message.condition]).toEqual(["s", "k", SaveCondition.MUST_EXIST]);
  });

  it("refuses data sent with another wire type than length-delimited, and a length past the end", () => {
    expect(() => save.decode(bytes(tag(3, 0), [1]))).toThrow(WireDecodeError);
    expect(() => save.decode(bytes(tag(3, 0), [1]))).toThrow(
      /field 3 of redisession\.v1\.SaveSessionRequest arrived with wire type 0/,
    );
    expect(() => save.decode(bytes(tag(3, 2), [5], [1, 2]))).toThrow(/runs past the end/);
  });

  it("writes the fields in number order, the data among them, as protobuf-es writes them", () => {
    const init = {
      store: "s",
      key: "k",
      content: { case: "data" as const, value: { a: [1, "x"] } },
      idleTtl: { seconds: 60n },
      condition: SaveCondition.MUST_CREATE,
    };
    const theirs = toBinary(SaveSessionRequestSchema, create(SaveSessionRequestSchema, init));
    expect(save.encode(init)).toEqual(Buffer.from(theirs));
    expect(save.decode(theirs)).toEqual(fromBinary(SaveSessionRequestSchema, theirs));
  });
});
