import { create, fromBinary, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type Session, SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { bytes, delimited, double, tag, text, varint } from "./support/wire-bytes.js";

/**
 * Session data (google.protobuf.Struct) between JSON and bytes: the edge cases of Value, as protobuf-es reads and
 * writes them, merging of repeated occurrences, and the two places where the codec departs from protobuf-es on
 * purpose.
 */

const session = messageCodec(SessionSchema);
/** A Session init carrying `data` as its Struct (`content` case "data"). */
const withData = (data: unknown) => ({ content: { case: "data" as const, value: data as JsonObject } });
/** The Struct a decoded Session carries; undefined for any other arm. */
const dataOf = (message: Session) => (message.content.case === "data" ? message.content.value : undefined);
const theirBytes = (data: unknown) =>
  Buffer.from(toBinary(SessionSchema, create(SessionSchema, withData(data))));

/** Session bytes whose data has one entry, "k", holding a Value made of `value`. */
const withValue = (...value: number[][]) =>
  bytes(delimited(2, delimited(1, [...text(1, "k"), ...delimited(2, value.flat())])));

describe("Value edge cases", () => {
  it.each([
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["-0", -0],
    ["the largest double", Number.MAX_VALUE],
    ["the smallest subnormal", Number.MIN_VALUE],
  ])("writes and reads %s as protobuf-es does", (_, number) => {
    const data = { n: number, list: [number] };
    expect(session.encode(withData(data))).toEqual(theirBytes(data));
    const decoded = dataOf(session.decode(theirBytes(data)));
    expect(decoded).toEqual(dataOf(fromBinary(SessionSchema, theirBytes(data))));
    expect(Object.is(decoded?.n, number)).toBe(true);
  });

  it("reads a Value with no kind as null, as protobuf-es does", () => {
    const input = withValue();
    expect(dataOf(session.decode(input))).toEqual({ k: null });
    expect(dataOf(fromBinary(SessionSchema, input))).toEqual({ k: null });
  });

  it("writes null as null_value, and what is not JSON as a Value with no kind, as protobuf-es does", () => {
    const data = { a: null, b: undefined, c: () => 1, d: 10n, e: Symbol("s"), f: [undefined, null] };
    expect(session.encode(withData(data as unknown as JsonObject))).toEqual(theirBytes(data));
    expect([...session.encode(withData({ a: null }))]).toEqual(
      delimited(2, delimited(1, [...text(1, "a"), ...delimited(2, [...tag(1, 0), 0])])),
    );
    expect(dataOf(session.decode(theirBytes(data)))).toEqual({
      a: null,
      b: null,
      c: null,
      d: null,
      e: null,
      f: [null, null],
    });
  });

  it("writes entries in Object.keys order, integer-like keys first", () => {
    const data = JSON.parse('{"b":1,"2":2,"a":3,"1":4}') as JsonObject;
    expect(session.encode(withData(data))).toEqual(theirBytes(data));
    expect(Object.keys(dataOf(session.decode(theirBytes(data))) ?? {})).toEqual(["1", "2", "b", "a"]);
  });

  it("reads any null_value number and any non-zero bool varint as protobuf-es does", () => {
    for (const input of [
      withValue([...tag(1, 0), ...varint(5)]),
      withValue([...tag(4, 0), ...varint(2 ** 40)]),
    ]) {
      expect(dataOf(session.decode(input))).toEqual(dataOf(fromBinary(SessionSchema, input)));
    }
  });
});

describe("repeated occurrences", () => {
  it("merges a Struct field that occurs twice, later keys overriding", () => {
    const input = Buffer.concat([theirBytes({ a: 1, b: 2 }), theirBytes({ b: 3, c: 4 })]);
    expect(dataOf(session.decode(input))).toEqual({ a: 1, b: 3, c: 4 });
    expect(session.decode(input)).toEqual(fromBinary(SessionSchema, input));
  });

  it("keeps the last kind of a Value, merging repeated struct and list values as protobuf-es does", () => {
    const struct = (key: string) =>
      delimited(5, delimited(1, [...text(1, key), ...delimited(2, [...tag(4, 0), 1])]));
    const list = (n: number) => delimited(6, delimited(1, [...tag(2, 1), ...double(n)]));
    const cases = [
      [struct("x"), struct("y")],
      [list(1), list(2)],
      [struct("x"), list(1)],
      [list(1), [...tag(2, 1), ...double(5)]],
      [[...tag(3, 2), 1, 0x61], struct("x"), struct("y")],
    ];
    for (const value of cases) {
      const input = withValue(...value);
      expect(session.decode(input)).toEqual(fromBinary(SessionSchema, input));
    }
    expect(dataOf(session.decode(withValue(struct("x"), struct("y"))))).toEqual({ k: { x: true, y: true } });
    expect(dataOf(session.decode(withValue(list(1), list(2))))).toEqual({ k: [1, 2] });
  });

  it("takes the last key and value of an entry, a missing key as the empty string", () => {
    const entry = [...text(1, "a"), ...delimited(2, [...tag(4, 0), 1]), ...text(1, "b")];
    const noKey = delimited(2, [...tag(2, 1), ...double(1)]);
    const input = bytes(delimited(2, [...delimited(1, entry), ...delimited(1, noKey)]));
    expect(dataOf(session.decode(input))).toEqual({ b: true, "": 1 });
    expect(session.decode(input)).toEqual(fromBinary(SessionSchema, input));
  });
});

describe("deliberate differences from protobuf-es", () => {
  it('keeps a "__proto__" key as an ordinary own key, both ways (protobuf-es drops it)', () => {
    const data = JSON.parse('{"__proto__":{"admin":true},"a":1}') as JsonObject;
    const encoded = session.encode(withData(data));
    expect(theirBytes(data).length).toBeLessThan(encoded.length);
    const decoded = dataOf(session.decode(encoded)) as JsonObject;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({ admin: true });
    expect((decoded as { admin?: unknown }).admin).toBeUndefined();
  });

  it("keeps a leading U+FEFF in a session's strings, its key's and its data's (protobuf-es's TextDecoder drops it)", () => {
    const input = session.encode({ key: "\uFEFFkey", ...withData({ "\uFEFFk": "\uFEFFv" }) });
    expect(input).toEqual(
      Buffer.from(
        toBinary(
          SessionSchema,
          create(SessionSchema, { key: "\uFEFFkey", ...withData({ "\uFEFFk": "\uFEFFv" }) }),
        ),
      ),
    );
    // Every string the service reads keeps it, a session's key too.
    expect(session.decode(input)).toMatchObject({ key: "\uFEFFkey", ...withData({ "\uFEFFk": "\uFEFFv" }) });
    expect(fromBinary(SessionSchema, input)).toMatchObject({ key: "key", ...withData({ k: "v" }) });
  });
});

describe("data that cannot be encoded", () => {
  it("refuses data nested deeper than any decoder accepts, cycles included, with a WireEncodeError", () => {
    let deep: JsonObject = {};
    for (let level = 0; level < 60; level++) deep = { a: deep };
    expect(() => session.encode(withData(deep))).toThrow(WireEncodeError);
    const cyclic: JsonObject = {};
    cyclic.self = cyclic;
    expect(() => session.encode(withData(cyclic))).toThrow(/nested deeper than 100 messages/);
    // The shared writer is left clean: the next message is encoded alone.
    expect(session.encode({ key: "k" })).toEqual(Buffer.from(text(1, "k")));
  });

  it("refuses a Struct field that is not a JSON object", () => {
    expect(() => session.encode(withData([1, 2] as unknown as JsonObject))).toThrow(/not a JSON object/);
  });
});
