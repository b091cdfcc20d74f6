import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import {
  GetSessionResponseSchema,
  SessionSchema,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../../src/rpc/wire/message-codec.js";
import { MAX_MESSAGE_DEPTH, WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import { NestedSchema, OneofsSchema, RepeatedSchema } from "./support/test-schemas.js";
import { bytes, deepSessionResponse, delimited, double, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Decoding is strict: every malformation is a WireDecodeError with a message saying what is wrong (grpc-js turns
 * it into INTERNAL), never another error, a crash or garbage. Unknown fields are skipped, in every wire type.
 */

const session = compileCodec(SessionSchema);
const response = compileCodec(GetSessionResponseSchema);

function decodeFailure(schema: DescMessage, input: Uint8Array): WireDecodeError {
  try {
    compileCodec(schema).decode(input);
  } catch (error) {
    if (error instanceof WireDecodeError) return error;
    throw new Error(`expected a WireDecodeError, got ${String(error)}`);
  }
  throw new Error("expected a WireDecodeError, but the bytes decoded");
}

describe("malformed bytes", () => {
  it.each([
    ["a truncated varint", bytes(tag(3, 0), [0x85]), /truncated varint/],
    [
      "a varint of more than 10 bytes",
      bytes(tag(3, 0), Array(10).fill(0xff), [0x01]),
      /longer than 10 bytes/,
    ],
    ["a length past the end", bytes(tag(1, 2), [5], [0x61]), /length 5 at byte 2 runs past/],
    ["a fixed64 past the end", bytes(tag(99, 1), [1, 2, 3]), /8-byte value at byte 2 runs past/],
    ["wire type 6", bytes(tag(1, 6)), /invalid tag at byte 0: field 1, wire type 6/],
    ["wire type 7", bytes(tag(9, 7)), /wire type 7/],
    ["field number 0", bytes([0x00]), /invalid tag at byte 0: field 0/],
    ["a tag of more than 32 bits", bytes([0xff, 0xff, 0xff, 0xff, 0x1f]), /overflows 32 bits/],
    ["an end-group with no group", bytes(tag(15, 4)), /unexpected end-group/],
    ["a group that never ends", bytes(tag(15, 3), tag(16, 0), [1]), /group of field 15 never ends/],
    ["a group ended by another field's tag", bytes(tag(15, 3), tag(16, 4)), /mismatched end-group/],
    [
      "a string field sent as a varint",
      bytes(tag(1, 0), [1]),
      /field redisession.v1.Session.key .* wire type 0/,
    ],
    [
      "a message field sent as a fixed32",
      bytes(tag(4, 5), [0, 0, 0, 0]),
      /Session.create_time .* wire type 5/,
    ],
    ["an int32 field sent length-delimited", bytes(delimited(3, [1])), /Session.version .* wire type 2/],
    ["invalid UTF-8 in a string", bytes(delimited(1, [0xc3, 0x28])), /invalid UTF-8/],
  ])("rejects %s", (_, input, message) => {
    const error = decodeFailure(SessionSchema, input);
    expect(error.message).toMatch(/^cannot decode redisession\.v1\.Session: /);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["a Value kind with the wrong wire type", [...tag(2, 0), 1]],
    ["invalid UTF-8 in a string value", delimited(3, [0xed, 0xa0, 0x80])],
    ["a truncated double", [...tag(2, 1), 0, 0, 0]],
  ])("rejects %s inside session data", (_, value) => {
    const data = delimited(1, [...text(1, "k"), ...delimited(2, value)]);
    expect(() => session.decode(bytes(delimited(2, data)))).toThrow(WireDecodeError);
  });

  it.each([
    ["a Struct member sent as a varint", bytes(tag(2, 0), [1]), /Oneofs\.data .* wire type 0/],
    ["a string member sent as a varint", bytes(tag(7, 0), [1]), /Oneofs\.data_json .* wire type 0/],
    ["a bytes member sent as a fixed32", bytes(tag(8, 5), [0, 0, 0, 0]), /Oneofs\.raw .* wire type 5/],
    ["a message member sent as a fixed64", bytes(tag(9, 1), double(0)), /Oneofs\.scalars .* wire type 1/],
    ["a wrapper member sent as a varint", bytes(tag(11, 0), [1]), /Oneofs\.wrapped .* wire type 0/],
    ["an enum member sent length-delimited", bytes(delimited(4, [1])), /Oneofs\.color .* wire type 2/],
    ["a sint64 member sent as a fixed64", bytes(tag(12, 1), double(0)), /Oneofs\.count .* wire type 1/],
    ["a double member sent as a varint", bytes(tag(13, 0), [1]), /Oneofs\.ratio .* wire type 0/],
    ["a fixed32 member sent as a fixed64", bytes(tag(17, 1), double(0)), /Oneofs\.mask .* wire type 1/],
    ["a member sent as a start-group", bytes(tag(14, 3), tag(14, 4)), /Oneofs\.flag .* wire type 3/],
    [
      "the wrong wire type after a valid member",
      bytes(text(7, "ok"), tag(2, 5), [0, 0, 0, 0]),
      /Oneofs\.data .* wire type 5/,
    ],
  ])("rejects a oneof member with the wrong wire type: %s", (_, input, message) => {
    const error = decodeFailure(OneofsSchema, input);
    expect(error.message).toMatch(/^cannot decode wiretest\.v1\.Oneofs: field wiretest\.v1\.Oneofs\./);
    expect(error.message).toMatch(message);
  });

  it("rejects invalid UTF-8 in Struct keys, as protobuf-es does", () => {
    const input = bytes(delimited(2, delimited(1, delimited(1, [0xff]))));
    expect(() => fromBinary(SessionSchema, input)).toThrow();
    expect(() => session.decode(input)).toThrow(/invalid UTF-8/);
  });

  it("rejects a field that runs past the end of its message, even within the buffer (protobuf-es reads on)", () => {
    // The session claims 3 bytes; its key claims 5 of them, 2 beyond the session, within the response.
    const input = bytes(tag(1, 2), [3], tag(1, 2), [5], [0x61, 0x62, 0x63, 0x64, 0x65]);
    expect(() => response.decode(input)).toThrow(/runs past the end of its message/);
  });
});

describe("nesting", () => {
  it(`decodes up to ${MAX_MESSAGE_DEPTH} nested messages and rejects deeper, where protobuf-es does`, () => {
    // Data depth d puts its innermost Struct at depth 3 + 2d.
    const deepest = (MAX_MESSAGE_DEPTH - 3) / 2;
    for (const depth of [deepest - 1, Math.floor(deepest), Math.ceil(deepest), deepest + 1]) {
      const input = deepSessionResponse(depth);
      const accepted = 3 + 2 * depth <= MAX_MESSAGE_DEPTH;
      if (accepted) {
        expect(response.decode(input)).toEqual(fromBinary(GetSessionResponseSchema, input));
      } else {
        expect(() => fromBinary(GetSessionResponseSchema, input)).toThrow(/maximum recursion depth/);
        expect(() => response.decode(input)).toThrow(/nested deeper than 100 messages/);
      }
    }
  });

  it("rejects data nested hundreds of levels deep without exhausting the stack", () => {
    expect(() => response.decode(deepSessionResponse(5_000))).toThrow(WireDecodeError);
  });

  it("rejects nested groups in unknown fields past the same limit", () => {
    const open = Array.from({ length: 120 }, () => tag(15, 3)).flat();
    const close = Array.from({ length: 120 }, () => tag(15, 4)).flat();
    expect(() => session.decode(bytes(open, close))).toThrow(/groups nested deeper/);
  });
});

describe("unknown fields", () => {
  it("skips unknown fields of every wire type, groups included, wherever they are", () => {
    const unknown = [
      ...tag(100, 0),
      ...varint(-1n),
      ...tag(101, 1),
      ...double(1.5),
      ...delimited(102, [1, 2, 3]),
      ...tag(103, 5),
      ...[1, 2, 3, 4],
      ...tag(104, 3),
      ...tag(1, 0),
      ...[7],
      ...tag(105, 3),
      ...tag(105, 4),
      ...tag(104, 4),
    ];
    const value = [...unknown, ...tag(4, 0), 1, ...unknown]; // bool_value: true
    const data = (inEntry: number[]) => [
      ...unknown,
      ...delimited(1, [...inEntry, ...text(1, "k"), ...inEntry, ...delimited(2, value)]),
    ];
    const input = (inEntry: number[]) =>
      bytes(unknown, text(1, "key"), unknown, delimited(2, data(inEntry)), tag(3, 0), [7], unknown);
    const expected = { key: "key", version: 7, content: { case: "data", value: { k: true } } };
    // protobuf-es misreads unknown fields inside a map entry (it does not skip them): compared without those.
    expect(session.decode(input([]))).toEqual(
      fromBinary(SessionSchema, input([]), { readUnknownFields: false }),
    );
    expect(session.decode(input([]))).toMatchObject(expected);
    expect(session.decode(input(unknown))).toMatchObject(expected);
  });
});

describe("repeated scalars", () => {
  const repeated = compileCodec(RepeatedSchema);

  it("reads packed and unpacked encodings alike, even mixed, whatever the field declares", () => {
    const packed = delimited(5, [...varint(1), ...varint(-2), ...varint(300)]); // r_int32, packed
    const unpacked = [...tag(5, 0), ...varint(4), ...tag(5, 0), ...varint(5)];
    const declaredUnpacked = delimited(20, [...varint(6), ...varint(7)]); // r_unpacked [packed = false], packed
    const doubles = [...tag(1, 1), ...double(0.5), ...delimited(1, [...double(-0), ...double(2)])];
    const input = bytes(packed, unpacked, declaredUnpacked, doubles);
    const decoded = repeated.decode(input);
    expect(decoded).toEqual(fromBinary(RepeatedSchema, input));
    expect(decoded).toMatchObject({ rInt32: [1, -2, 300, 4, 5], rUnpacked: [6, 7], rDouble: [0.5, -0, 2] });
  });

  it("writes packed fields packed and [packed = false] fields unpacked, as protobuf-es", () => {
    const init = { rInt32: [1, -2], rUnpacked: [3, 4], rString: ["a", "b"] };
    const ours = repeated.encode(init);
    expect(ours).toEqual(Buffer.from(toBinary(RepeatedSchema, create(RepeatedSchema, init))));
    expect([...ours]).toEqual([
      ...delimited(5, [...varint(1), ...varint(-2)]),
      ...text(9, "a"),
      ...text(9, "b"),
      ...[...tag(20, 0), 3, ...tag(20, 0), 4],
    ]);
  });

  it("rejects a packed run that ends inside a value", () => {
    expect(() => repeated.decode(bytes(delimited(1, [0, 0, 0])))).toThrow(/runs past the end of its message/);
  });
});

describe("arbitrary input", () => {
  const schemas = [SessionService, SessionAdminService, Health]
    .flatMap((service) => service.methods.flatMap((method) => [method.input, method.output]))
    .concat(NestedSchema, RepeatedSchema, OneofsSchema, ValueSchema);

  it("decodes random bytes or throws a WireDecodeError, for every message type", () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemas), fc.uint8Array({ maxLength: 64 }), (schema, input) => {
        try {
          compileCodec(schema).decode(input);
        } catch (error) {
          expect(error).toBeInstanceOf(WireDecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  const validMessages = fc
    .constantFrom(GetSessionResponseSchema, NestedSchema, OneofsSchema)
    .chain((schema) =>
      initArbitrary(schema).map((init) => [schema, toBinary(schema, create(schema, init))] as const),
    );

  it("agrees with protobuf-es on every truncation of valid messages", () => {
    fc.assert(
      fc.property(validMessages, fc.nat(), ([schema, valid], at) => {
        const cut = valid.subarray(0, valid.length === 0 ? 0 : at % valid.length);
        let theirs: unknown;
        try {
          theirs = fromBinary(schema, cut);
        } catch {
          expect(() => compileCodec(schema).decode(cut)).toThrow(WireDecodeError);
          return;
        }
        // Cut between two fields, the rest is a valid message; cut inside one, ours refuses it too.
        expect(compileCodec(schema).decode(cut)).toEqual(theirs);
      }),
      { numRuns: 1000 },
    );
  });

  it("decodes one-byte corruptions of valid messages consistently, or throws a WireDecodeError", () => {
    // protobuf-es is no reference here: inside a Struct entry it does not skip unknown fields, so where a
    // corruption makes one, it reads the entry differently (or fails). What ours decodes must survive its own
    // round trip.
    fc.assert(
      fc.property(validMessages, fc.nat(), fc.integer({ min: 0, max: 255 }), ([schema, valid], at, byte) => {
        const codec = compileCodec(schema);
        const corrupt = Uint8Array.from(valid);
        if (corrupt.length > 0) corrupt[at % corrupt.length] = byte;
        let ours: unknown;
        try {
          ours = codec.decode(corrupt);
        } catch (error) {
          expect(error).toBeInstanceOf(WireDecodeError);
          return;
        }
        expect(codec.decode(codec.encode(ours as never))).toEqual(ours);
      }),
      { numRuns: 1000 },
    );
  });
});
