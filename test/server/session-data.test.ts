import type { MessageInitShape } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BatchGetSessionsResponseSchema,
  GetSessionResponseSchema,
  type SessionSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { encodedSessionData } from "../../src/server/session-data.js";
import { sessionMessage } from "../../src/server/session-messages.js";
import { CorruptRecordError } from "../../src/store/errors.js";
import { parseSessionJson } from "../../src/store/records/session-payload.js";
import { type JsonObject, type Session, sessionOf } from "../../src/store/session.js";
import { deepJsonText, SHAPES } from "../support/deep-data.js";

/**
 * GetSession and BatchGetSessions answer with session data transcoded from the stored JSON bytes; every other
 * path parses the JSON into an object first. Both must put the same bytes on the wire, and judge the same stored
 * bytes corrupt.
 */

const getResponse = messageCodec(GetSessionResponseSchema);
const batchResponse = messageCodec(BatchGetSessionsResponseSchema);
const KEY = "0123456789abcdef0123456789abcdef";
/** The default store's limit. */
const MAX_DEPTH = 32;

function sessionWith<D>(data: D) {
  return sessionOf(KEY, data, { version: 7, createdAt: 1_795_000_000, expiresAt: 1_796_000_000 }, 3600);
}

/**
 * The Session message of a session whose data is a parsed object, for the codec to write as a Struct: what
 * `sessionMessage` makes of the same session, its `content` the object rather than bytes.
 */
function parsedMessage(session: Session<JsonObject>): MessageInitShape<typeof SessionSchema> {
  return { ...sessionMessage({ ...session, data: "" }), content: { case: "data", value: session.data } };
}

/** The two responses' bytes, with the data parsed into an object and with it transcoded from `json`. */
function bothWays(json: Buffer) {
  const parsed = parsedMessage(sessionWith(parseSessionJson(json, MAX_DEPTH)));
  const transcoded = sessionMessage(sessionWith(encodedSessionData(json, MAX_DEPTH)));
  return {
    parsed: getResponse.encode({ session: parsed }),
    transcoded: getResponse.encode({ session: transcoded }),
    parsedBatch: batchResponse.encode({ sessions: [parsed, parsed] }),
    transcodedBatch: batchResponse.encode({ sessions: [transcoded, transcoded] }),
  };
}

describe("session data transcoded from the stored JSON", () => {
  it.each([
    ["an empty session", {}],
    [
      "a typical session",
      {
        uid: "u_1a2b3c4d",
        csrf: "q1w2e3r4t5y6u7i8o9p0",
        flash: { type: "ok", text: "Address saved." },
        cart: [{ sku: "BK-1042", qty: 1 }],
        prefs: { theme: "dark", lang: "en-GB", beta: true, limit: null, ratio: -0.5 },
      },
    ],
    ["text that needs escapes and is not ASCII", { 'quote"d': 'a\\b\n"c"', ключ: "значение 🎉" }],
    ["a string longer than 127 bytes", { long: "x".repeat(300) }],
  ])("puts the bytes of the parsed object on the wire: %s", (_what, data: JsonObject) => {
    const ways = bothWays(Buffer.from(JSON.stringify(data)));
    expect(ways.transcoded.equals(ways.parsed)).toBe(true);
    expect(ways.transcodedBatch.equals(ways.parsedBatch)).toBe(true);
    expect(getResponse.decode(ways.transcoded).session?.content).toEqual({ case: "data", value: data });
  });

  it("puts the bytes of the parsed object on the wire for any stored JSON object", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), (data) => {
        const ways = bothWays(Buffer.from(JSON.stringify(data)));
        expect(ways.transcoded.equals(ways.parsed)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["not JSON", '{"cut'],
    ["an array", "[1,2]"],
    ["a string", '"text"'],
    ["null", "null"],
    ["an object followed by more", '{"a":1} {}'],
    ["an object after a byte-order mark", '\uFEFF{"a":1}'],
    ["empty", ""],
  ])(
    "is refused as a corrupt record when the stored JSON is %s, as the object path refuses it",
    (_what, text) => {
      const json = Buffer.from(text);
      expect(() => parseSessionJson(json, MAX_DEPTH)).toThrow(CorruptRecordError);
      expect(() => encodedSessionData(json, MAX_DEPTH)).toThrow(CorruptRecordError);
    },
  );

  it.each(SHAPES)(
    "is read up to the store's maxDataDepth and refused one level deeper, as the object path: %s",
    (shape) => {
      for (const limit of [1, 2, 8, MAX_DEPTH, 49]) {
        const json = Buffer.from(deepJsonText(limit, shape));
        const transcoded = sessionMessage(sessionWith(encodedSessionData(json, limit)));
        const parsed = parsedMessage(sessionWith(parseSessionJson(json, limit)));
        expect(getResponse.encode({ session: transcoded })).toEqual(getResponse.encode({ session: parsed }));
        expect(() => encodedSessionData(json, limit - 1)).toThrow(CorruptRecordError);
        expect(() => parseSessionJson(json, limit - 1)).toThrow(CorruptRecordError);
        expect(() => encodedSessionData(json, limit - 1)).toThrow(`limit of ${limit - 1} levels`);
      }
    },
  );

  it("refuses a record 100,000 levels deep as corrupt, without exhausting the stack", () => {
    const json = Buffer.from(deepJsonText(100_000, "mixed"));
    expect(() => encodedSessionData(json, MAX_DEPTH)).toThrow(CorruptRecordError);
  });

  it("reads a text deeper than the limit that JSON.parse makes shallower (a duplicate key) as the object path", () => {
    const json = Buffer.from(`{"a":${deepJsonText(40, "lists")},"b":true,"a":1}`);
    const ways = bothWays(json);
    expect(ways.transcoded.equals(ways.parsed)).toBe(true);
    expect(getResponse.decode(ways.transcoded).session?.content).toEqual({
      case: "data",
      value: { a: 1, b: true },
    });
  });

  it("reads invalid UTF-8 inside a string as U+FFFD, as the object path does", () => {
    const json = Buffer.concat([Buffer.from('{"name":"ab'), Buffer.from([0xff, 0xc3]), Buffer.from('cd"}')]);
    const ways = bothWays(json);
    expect(ways.transcoded.equals(ways.parsed)).toBe(true);
    expect(getResponse.decode(ways.transcoded).session?.content).toEqual({
      case: "data",
      value: { name: "ab\uFFFD\uFFFDcd" },
    });
  });
});
