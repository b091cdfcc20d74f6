import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GetSessionResponseSchema, SessionSchema } from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { readUtf8 } from "../../src/rpc/wire/utf8-text.js";
import { WireDecodeError } from "../../src/rpc/wire/wire-errors.js";
import { bytes, delimited } from "./support/wire-bytes.js";

/**
 * The service's writer and reader at their edges: strings of every size and alphabet, length prefixes that need a
 * second or third byte, the scratch buffer growing and never shared.
 */

const session = messageCodec(SessionSchema);
const response = messageCodec(GetSessionResponseSchema);
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
      fc.property(anyText, (text) => {
        // protobuf-es drops a "__proto__" key, the service keeps it (struct-values.test.ts).
        fc.pre(text !== "__proto__");
        // The session's key goes through the response writer, the data's key and value through the Struct writer.
        const init = { session: { key: text, content: { case: "data" as const, value: { [text]: text } } } };
        expect(response.encode(init)).toEqual(theirs(GetSessionResponseSchema, init));
        const read = Buffer.from(text, "utf8").toString("utf8");
        const content = response.decode(response.encode(init)).session?.content;
        expect(content).toEqual({ case: "data", value: { [read]: read } });
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
        // Session.data { "k": <content> }: an entry (1) of key (1) "k" and a Value (2) of string_value (3).
        const input = bytes(
          delimited(2, delimited(1, [...delimited(1, [0x6b]), ...delimited(2, delimited(3, content))])),
        );
        let expected: string | undefined;
        try {
          expected = fatal.decode(Uint8Array.from(content));
        } catch {
          expect(() => readUtf8(Buffer.from(content), 0, content.length, true)).toThrow(WireDecodeError);
          expect(() => session.decode(input)).toThrow(WireDecodeError);
          return;
        }
        expect(readUtf8(Buffer.from(content), 0, content.length, true)).toBe(expected);
        expect(session.decode(input).content).toEqual({ case: "data", value: { k: expected } });
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
