import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  BatchGetSessionsResponseSchema,
  CreateSessionRequestSchema,
  GetSessionResponseSchema,
  RotateSessionKeyResponseSchema,
  SaveSessionRequestSchema,
} from "../../gen/redisession/v1/session_service_pb.js";
import { MAX_DATA_DEPTH } from "../../src/config/config-schema.js";
import { messageCodec } from "../../src/rpc/wire/message-codec.js";
import { WireEncodeError } from "../../src/rpc/wire/wire-errors.js";
import { encodedSessionData } from "../../src/server/session-data.js";
import { sessionMessage } from "../../src/server/session-messages.js";
import { type JsonObject, sessionOf } from "../../src/store/session.js";
import { deepJson, deepJsonText, SHAPES } from "../support/deep-data.js";

/**
 * MAX_DATA_DEPTH, the most a store's maxDataDepth may be, against the service's own wire codec: data that deep
 * passes through every request that carries session data (the decoder never refuses what a store accepts) and
 * every response (what was stored can always be answered); one level more cannot be answered.
 */

const KEY = "0123456789abcdef0123456789abcdef";
/** A Session message carrying `data` as a Struct (the object path: the codec writes the object). */
const session = (data: JsonObject) => ({
  key: KEY,
  content: { case: "data" as const, value: data },
  version: 1,
  createTime: { seconds: 1_795_000_000n },
  expireTime: { seconds: 1_796_000_000n },
  idleTtl: { seconds: 3600n },
});

/** The `content` oneof of a decoded message, as protobuf-es types it for any schema. */
type Content = { case?: string; value?: unknown };

/** A decoded message, as protobuf-es types it for any schema. */
type Decoded = Record<string, unknown> & {
  content?: Content;
  session?: { content?: Content };
  sessions?: { content?: Content }[];
};

/** The Struct a decoded `content` carries; undefined for any other arm. */
const structOf = (content: Content | undefined) => (content?.case === "data" ? content.value : undefined);

/** Every message that carries session data: `data` in it, and where to find it once decoded. */
function carriers(
  data: JsonObject,
): [string, DescMessage, MessageInitShape<DescMessage>, (m: Decoded) => unknown][] {
  return [
    [
      "CreateSessionRequest",
      CreateSessionRequestSchema,
      { content: { case: "data", value: data } },
      (m) => structOf(m.content),
    ],
    [
      "SaveSessionRequest",
      SaveSessionRequestSchema,
      { key: KEY, content: { case: "data", value: data } },
      (m) => structOf(m.content),
    ],
    [
      "GetSessionResponse",
      GetSessionResponseSchema,
      { session: session(data) },
      (m) => structOf(m.session?.content),
    ],
    [
      "BatchGetSessionsResponse",
      BatchGetSessionsResponseSchema,
      { sessions: [session(data), session(data)] },
      (m) => structOf(m.sessions?.[1]?.content),
    ],
    [
      "RotateSessionKeyResponse",
      RotateSessionKeyResponseSchema,
      { session: session(data) },
      (m) => structOf(m.session?.content),
    ],
  ];
}

describe(`MAX_DATA_DEPTH (${MAX_DATA_DEPTH})`, () => {
  it.each(SHAPES)(
    "data of %s that deep passes through every request and response that carries it",
    (shape) => {
      const deepest = deepJson(MAX_DATA_DEPTH, shape);
      const emptyInnermost = JSON.parse(
        deepJsonText(MAX_DATA_DEPTH - 1, shape).replace("7", "{}"),
      ) as JsonObject;
      for (const data of [deepest, emptyInnermost]) {
        for (const [name, schema, init, dataOf] of carriers(data)) {
          const codec = messageCodec(schema);
          expect(dataOf(codec.decode(codec.encode(init)) as Decoded), name).toEqual(data);
        }
        // As GetSession answers it: transcoded from the stored JSON.
        const transcoded = encodedSessionData(Buffer.from(JSON.stringify(data)), MAX_DATA_DEPTH);
        const response = messageCodec(GetSessionResponseSchema);
        const bytes = response.encode({
          session: sessionMessage(
            sessionOf(
              KEY,
              transcoded,
              { version: 1, createdAt: 1_795_000_000, expiresAt: 1_796_000_000 },
              3600,
            ),
          ),
        });
        expect(response.decode(bytes).session?.content).toEqual({ case: "data", value: data });
      }
    },
  );

  it.each(SHAPES)("data of %s one level deeper cannot be answered: the maximum cannot be raised", (shape) => {
    const deeper = deepJson(MAX_DATA_DEPTH + 1, shape);
    expect(() => messageCodec(GetSessionResponseSchema).encode({ session: session(deeper) })).toThrow(
      WireEncodeError,
    );
  });
});
