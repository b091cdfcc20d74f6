import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CreateSessionRequest,
  CreateSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { DEFER_MIN_BYTES, DeferredStruct } from "../../src/rpc/wire/deferred-struct.js";
import { requestDecoder } from "../../src/rpc/wire/message-codec.js";
import {
  MAX_BYTES_CONSTANT,
  MAX_JSON_BYTES_PER_WIRE_BYTE,
  structJsonBytesAtLeast,
} from "../../src/rpc/wire/struct-json-size.js";
import { decodeStruct } from "../../src/rpc/wire/struct-reader.js";
import { writeStruct } from "../../src/rpc/wire/struct-writer.js";
import { WireWriter } from "../../src/rpc/wire/wire-writer.js";
import type { JsonObject } from "../../src/store/session.js";
import { jsonObject } from "./support/message-arbitrary.js";
import { delimited, double, tag, varint } from "./support/wire-bytes.js";

/**
 * The least JSON size of a Struct, counted from its bytes without decoding them (struct-json-size.ts), is what lets
 * the server refuse data too large for its store before decoding it. It must never be more than the JSON the
 * decoded data makes (or data that fits would be refused), and never more than 4 bytes per wire byte (or the
 * server's shortcut for small Structs would be wrong).
 */

/** The depth a request's Struct field is read at (the request is 1). */
const DEPTH = 2;

/** The Struct's bytes for `object`, as the service writes them. */
function structBytes(object: JsonObject): Buffer {
  const writer = new WireWriter();
  writeStruct(writer, object, DEPTH);
  return writer.finish();
}

/** The JSON size of the data the decoder makes of `bytes`, or undefined when they do not decode. */
function decodedJsonBytes(bytes: Buffer): number | undefined {
  let data: JsonObject;
  try {
    data = decodeStruct(bytes, DEPTH);
  } catch {
    return undefined;
  }
  return Buffer.byteLength(JSON.stringify(data), "utf8");
}

function expectBounds(bytes: Buffer): void {
  const least = structJsonBytesAtLeast(bytes, DEPTH, Number.POSITIVE_INFINITY);
  expect(least).toBeLessThanOrEqual(MAX_JSON_BYTES_PER_WIRE_BYTE * bytes.length + MAX_BYTES_CONSTANT);
  const actual = decodedJsonBytes(bytes);
  if (actual !== undefined) expect(least).toBeLessThanOrEqual(actual);
}

// Struct pieces no encoder writes but every decoder must take: keys given again, values of several kinds, messages
// given twice (merged), entries without key or value, unknown fields. Few keys, so that they repeat.
const NULL = [...tag(1, 0), 0];
const key = fc.constantFrom("", "a", "b", "é", "\u0000", "long key of some bytes");
const unknownField = fc.constantFrom(
  [...tag(9, 0), 1],
  [...tag(9, 1), ...double(1)],
  delimited(9, [1, 2, 3]),
);

const pieces = fc.letrec<{ value: number[]; struct: number[]; list: number[] }>((tie) => ({
  // A Value: one or more kinds in a row (the last wins, messages of one kind merge).
  value: fc
    .array(
      fc.oneof(
        { depthSize: "small", maxDepth: 3 },
        fc.constant(NULL),
        fc.double().map((n) => [...tag(2, 1), ...double(n)]),
        fc.string({ maxLength: 8 }).map((s) => delimited(3, Buffer.from(s, "utf8"))),
        fc.boolean().map((b) => [...tag(4, 0), b ? 1 : 0]),
        tie("struct").map((fields) => delimited(5, fields)),
        tie("list").map((values) => delimited(6, values)),
        unknownField,
      ),
      { maxLength: 3 },
    )
    .map((parts) => parts.flat()),
  // A Struct's fields: entries (with or without key and value) and unknown fields.
  struct: fc
    .array(
      fc.oneof(
        fc
          .tuple(fc.option(key), fc.option(tie("value")))
          .map(([k, v]) =>
            delimited(1, [
              ...(k === null ? [] : delimited(1, Buffer.from(k, "utf8"))),
              ...(v === null ? [] : delimited(2, v)),
            ]),
          ),
        unknownField,
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.flat()),
  list: fc
    .array(
      fc.oneof(
        tie("value").map((v) => delimited(1, v)),
        unknownField,
      ),
      { maxLength: 4 },
    )
    .map((parts) => parts.flat()),
})).struct;

describe("the least JSON size of a Struct's bytes", () => {
  it("is no more than the JSON of the decoded data, nor 4 bytes per wire byte, for any JSON object", () => {
    fc.assert(
      fc.property(jsonObject, (object) => expectBounds(structBytes(object))),
      { numRuns: 2_000 },
    );
  });

  it("is so too for bytes no encoder writes: repeated keys, several kinds, merged messages, unknown fields", () => {
    fc.assert(
      fc.property(pieces, (fields) => expectBounds(Buffer.from(fields))),
      { numRuns: 5_000 },
    );
  });

  it("is exact for data of strings, objects and lists", () => {
    const object = { s: "é✓", nested: { list: ["a", {}, []], empty: "" }, "": "x" };
    expect(structJsonBytesAtLeast(structBytes(object), DEPTH, Number.POSITIVE_INFINITY)).toBe(
      Buffer.byteLength(JSON.stringify(object)),
    );
  });

  it("counts a key given again once, with its last value", () => {
    const entries = [
      delimited(1, [
        ...delimited(1, Buffer.from("k")),
        ...delimited(2, delimited(3, Buffer.from("long value"))),
      ]),
      delimited(1, [...delimited(1, Buffer.from("k")), ...delimited(2, NULL)]),
    ];
    const bytes = Buffer.from(entries.flat());
    expect(structJsonBytesAtLeast(bytes, DEPTH, Number.POSITIVE_INFINITY)).toBe('{"k":null}'.length);
    expect(decodedJsonBytes(bytes)).toBe('{"k":null}'.length);
  });

  it("stops once the keys alone pass the bound, before bytes that do not decode", () => {
    const object: JsonObject = {};
    for (let i = 0; i < 1_000; i++) object[`key${i}`] = i;
    const bytes = Buffer.concat([structBytes(object), Buffer.from([...tag(1, 2), ...varint(1_000)])]);
    expect(decodedJsonBytes(bytes)).toBeUndefined();
    expect(structJsonBytesAtLeast(bytes, DEPTH, 1_000)).toBeGreaterThan(1_000);
  });
});

describe("a request's Struct on the server", () => {
  const decode = requestDecoder(CreateSessionRequestSchema);
  const request = (struct: Buffer, store = "") =>
    Buffer.concat([
      toBinary(CreateSessionRequestSchema, create(CreateSessionRequestSchema, { store })),
      Buffer.from([...tag(2, 2), ...varint(struct.length)]),
      struct,
    ]);
  const content = (message: CreateSessionRequest) =>
    message.content.case === "data" ? message.content.value : undefined;
  const deferred = (message: CreateSessionRequest) => {
    const value = content(message);
    expect(value).toBeInstanceOf(DeferredStruct);
    return value as unknown as DeferredStruct;
  };
  /** `{ blob: "xxx…" }` of at least DEFER_MIN_BYTES on the wire. */
  const large = { blob: "x".repeat(DEFER_MIN_BYTES) };
  /** Bytes that do not decode: an entry whose length runs past the end. */
  const undecodable = (size: number) =>
    Buffer.concat([Buffer.from([...tag(1, 2), ...varint(size + 1)]), Buffer.alloc(size)]);

  it("is decoded with the request when smaller than DEFER_MIN_BYTES, as the codec decodes it", () => {
    expect(content(decode(request(structBytes({ a: 1 }))))).toEqual({ a: 1 });
    expect(() => decode(request(undecodable(100)))).toThrow();
  });

  it("is left undecoded from DEFER_MIN_BYTES: bytes that do not decode fail only when decoded", () => {
    const message = decode(request(undecodable(DEFER_MIN_BYTES), "s"));
    expect(message.store).toBe("s");
    expect(() => deferred(message).decode()).toThrow();
  });

  it("merges a field given twice, deferred when its parts together are large, whichever part is", () => {
    const small = structBytes({ a: 1, blob: "y" });
    const big = structBytes(large);
    expect(deferred(decode(Buffer.concat([request(big), request(small)]))).decode()).toEqual({
      ...large,
      a: 1,
      blob: "y",
    });
    expect(deferred(decode(Buffer.concat([request(small), request(big)]))).decode()).toEqual({
      a: 1,
      ...large,
    });
    const halves = structBytes({ blob: "z".repeat(DEFER_MIN_BYTES / 2) });
    expect(
      deferred(
        decode(Buffer.concat([request(halves), request(structBytes({ c: 2 })), request(halves)])),
      ).decode(),
    ).toEqual({
      blob: "z".repeat(DEFER_MIN_BYTES / 2),
      c: 2,
    });
  });

  it("is not counted when 4 bytes per wire byte fit the limit, and refused when its least size does not", () => {
    // Bytes that do not decode at all, small against the limit: no count, no decoding, so no answer but "may fit".
    const garbage = Buffer.alloc(DEFER_MIN_BYTES, 0xff);
    expect(deferred(decode(request(garbage))).sizeOver(4 * DEFER_MIN_BYTES + 2)).toBeUndefined();
    const size = Buffer.byteLength(JSON.stringify(large));
    const struct = deferred(decode(request(structBytes(large))));
    expect(struct.sizeOver(size)).toBeUndefined();
    expect(struct.sizeOver(size - 1)).toBe(size);
  });
});
