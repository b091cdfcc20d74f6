import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import {
  BatchGetSessionsResponseSchema,
  GetSessionResponseSchema,
  SaveSessionRequestSchema,
  SessionSchema,
  SessionService,
} from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { MAX_MESSAGE_DEPTH, WireDecodeError, WireDepthError } from "../../src/rpc/wire/wire-errors.js";
import { initArbitrary } from "./support/message-arbitrary.js";
import { bytes, deepSessionResponse, delimited, double, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Decoding is strict: every malformation is a WireDecodeError with a message saying what is wrong (grpc-js turns
 * it into INTERNAL), never another error, a crash or garbage. Unknown fields are skipped, in every wire type.
 */

const session = messageCodec(SessionSchema);
const response = messageCodec(GetSessionResponseSchema);

function decodeFailure(schema: DescMessage, input: Uint8Array): WireDecodeError {
  try {
    messageCodec(schema).decode(input);
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
  ])("rejects %s", (_, input, reason) => {
    // Outside session data the reading is protobuf-es's, and so is the reason (the table's were the service's
    // own reader's, before it left those fields to protobuf-es): what is ours is the error, naming the type.
    expect(reason).toBeInstanceOf(RegExp);
    for (const schema of [SessionSchema, GetSessionResponseSchema]) {
      const wrapped = schema === SessionSchema ? input : bytes(delimited(1, [...input]));
      const error = decodeFailure(schema, wrapped);
      expect(error.message).toMatch(new RegExp(`^cannot decode ${schema.typeName.replaceAll(".", "\\.")}: `));
    }
  });

  it.each([
    ["a Value kind with the wrong wire type", [...tag(2, 0), 1]],
    ["invalid UTF-8 in a string value", delimited(3, [0xed, 0xa0, 0x80])],
    ["a truncated double", [...tag(2, 1), 0, 0, 0]],
  ])("rejects %s inside session data", (_, value) => {
    const data = delimited(1, [...text(1, "k"), ...delimited(2, value)]);
    expect(() => session.decode(bytes(delimited(2, data)))).toThrow(WireDecodeError);
  });

  it("rejects invalid UTF-8 in Struct keys, as protobuf-es does", () => {
    const input = bytes(delimited(2, delimited(1, delimited(1, [0xff]))));
    expect(() => fromBinary(SessionSchema, input)).toThrow();
    expect(() => session.decode(input)).toThrow(/invalid UTF-8/);
  });

  it("rejects a field that runs past the end of its message in session data, even within the buffer", () => {
    // The data claims 2 bytes; its entry claims the 5 after them, beyond the data, within the session (its key).
    const input = bytes(tag(2, 2), [2], tag(1, 2), [5], text(1, "abc"));
    expect(() => session.decode(input)).toThrow(/runs past the end of its message/);
    // A Value's double that ends past its entry.
    const entry = [...text(1, "k"), ...tag(2, 2), 3, ...tag(2, 1)];
    const data = bytes(delimited(2, [...tag(1, 2), entry.length, ...entry, ...double(1).slice(1)]));
    expect(() => session.decode(data)).toThrow(WireDecodeError);
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
    expect(() => session.decode(bytes(open, close))).toThrow(WireDepthError);
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

describe("arbitrary input", () => {
  const schemas = [SessionService, SessionAdminService, Health]
    .flatMap((service) => service.methods.flatMap((method) => [method.input, method.output]))
    .concat(SessionSchema);

  it("decodes random bytes or throws a WireDecodeError, for every message type", () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemas), fc.uint8Array({ maxLength: 64 }), (schema, input) => {
        try {
          messageCodec(schema).decode(input);
        } catch (error) {
          expect(error).toBeInstanceOf(WireDecodeError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  const validMessages = fc
    .constantFrom(GetSessionResponseSchema, BatchGetSessionsResponseSchema, SaveSessionRequestSchema)
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
          expect(() => messageCodec(schema).decode(cut)).toThrow(WireDecodeError);
          return;
        }
        // Cut between two fields, the rest is a valid message; cut inside one, ours refuses it too.
        expect(messageCodec(schema).decode(cut)).toEqual(theirs);
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
        const codec = messageCodec(schema);
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
