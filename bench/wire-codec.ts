/**
 * Micro-benchmark of the service's wire codec (src/rpc/wire) against protobuf-es, on the messages that dominate the
 * service's CPU profile: GetSession responses (~200 B and ~1 KB of session JSON), a BatchGetSessions response of 100
 * ~200 B sessions (the throughput bench's batch), SaveSession request decoding; then stored session JSON to Struct
 * bytes, parsed and written against transcoded straight from the text.
 * No server:
 *
 *   npm run bench -- --only wire-codec [--quick]   (or node --import tsx bench/wire-codec.ts [--quick])
 *
 * Each figure is the median of several timed rounds after a warm-up, in µs per operation. protobuf-es encoding is
 * measured as the server used it before the codec: `toBinary(schema, create(schema, init))`.
 */
import {
  create,
  type DescMessage,
  fromBinary,
  type JsonObject,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  BatchGetSessionsResponseSchema,
  GetSessionResponseSchema,
  SaveCondition,
  SaveSessionRequestSchema,
  type SessionSchema,
} from "../gen/redisession/v1/session_service_pb.js";
import { writeJsonTextAsStruct } from "../src/rpc/wire/json-text-struct.js";
import { messageCodec } from "../src/rpc/wire/message-codec.js";
import { writeStruct } from "../src/rpc/wire/struct-writer.js";
import { WireWriter } from "../src/rpc/wire/wire-writer.js";
import { session as corpusSession } from "./codecs/corpus.js";
import { measure } from "./support/micro-timing.js";
import { SAMPLE_SESSIONS } from "./support/sample-sessions.js";
import { runIfMain, type Suite } from "./support/suite.js";

/** Session `index` of the codec bench's corpus tier of about `bytes` bytes of JSON. */
const session = (bytes: number, index: number) => corpusSession(bytes, index) as JsonObject;

function sessionInit(data: JsonObject, index: number): MessageInitShape<typeof SessionSchema> {
  const now = 1_717_000_000_000 + index * 1000;
  return {
    key: index.toString(16).padStart(32, "0"),
    content: { case: "data", value: data },
    version: 3,
    expireTime: timestampFromMs(now + 1_800_000),
    idleTtl: { seconds: 3600n, nanos: 0 },
  };
}

interface Case {
  readonly name: string;
  readonly schema: DescMessage;
  readonly init: MessageInitShape<DescMessage>;
  readonly encode: boolean;
}

const cases: Case[] = [
  {
    name: "GetSessionResponse, ~200 B data",
    schema: GetSessionResponseSchema,
    init: { session: sessionInit(session(200, 1), 1) },
    encode: true,
  },
  {
    name: "GetSessionResponse, ~1 KB data",
    schema: GetSessionResponseSchema,
    init: { session: sessionInit(session(1024, 1), 1) },
    encode: true,
  },
  {
    name: "BatchGetSessionsResponse, 100 × ~200 B",
    schema: BatchGetSessionsResponseSchema,
    init: { sessions: Array.from({ length: 100 }, (_, i) => sessionInit(session(200, i), i)) },
    encode: true,
  },
  {
    name: "SaveSessionRequest, ~1 KB data",
    schema: SaveSessionRequestSchema,
    init: {
      store: "default",
      key: "ab".repeat(16),
      content: { case: "data", value: session(1024, 2) },
      condition: SaveCondition.MUST_EXIST,
    },
    encode: false,
  },
];

/** One message's encode or decode: protobuf-es against the service's codec, µs per operation. */
interface MessageFigure {
  readonly message: string;
  readonly bytes: number;
  readonly op: "encode" | "decode";
  readonly protobufEsUs: number;
  readonly serviceUs: number;
}

/** One stored session's JSON to Struct bytes: parsed then written, against the transcoder, µs per session. */
interface TranscodeFigure {
  readonly session: string;
  readonly bytes: number;
  readonly jsonParseUs: number;
  readonly parseAndWriteUs: number;
  readonly transcoderUs: number;
}

function messageFigures(rounds: number): MessageFigure[] {
  const figures: MessageFigure[] = [];
  for (const { name, schema, init, encode } of cases) {
    const codec = messageCodec(schema);
    const bytes = toBinary(schema, create(schema, init));
    if (encode && !Buffer.from(bytes).equals(codec.encode(init)))
      throw new Error(`${name}: the codecs' bytes differ`);
    const figure = (op: MessageFigure["op"], protobufEsUs: number, serviceUs: number) =>
      figures.push({ message: name, bytes: bytes.length, op, protobufEsUs, serviceUs });
    if (encode) {
      figure(
        "encode",
        measure(() => toBinary(schema, create(schema, init)), rounds),
        measure(() => codec.encode(init), rounds),
      );
    }
    const buffer = Buffer.from(bytes);
    figure(
      "decode",
      measure(() => fromBinary(schema, buffer), rounds),
      measure(() => codec.decode(buffer), rounds),
    );
  }
  return figures;
}

/** Session.data in a GetSessionResponse. */
const STRUCT_DEPTH = 3;

/**
 * Stored session JSON to a Struct field's bytes, as GetSession and BatchGetSessions write it: parsed then written
 * (the object path) against the transcoder straight from the bytes. Both write into a writer of their own, the
 * Struct's fields only (no Session around them).
 */
function transcodeFigures(rounds: number): TranscodeFigure[] {
  return SAMPLE_SESSIONS.map(([name, data]) => {
    const json = Buffer.from(JSON.stringify(data));
    const writer = new WireWriter();
    const parseAndWrite = () => {
      writer.reset();
      writeStruct(writer, JSON.parse(json.toString("utf8")), STRUCT_DEPTH);
      return writer.pos;
    };
    const transcode = () => {
      writer.reset();
      writeJsonTextAsStruct(writer, json, STRUCT_DEPTH);
      return writer.pos;
    };
    parseAndWrite();
    const expected = writer.finish();
    transcode();
    if (!expected.equals(writer.finish())) throw new Error(`${name}: the transcoder's bytes differ`);
    return {
      session: name,
      bytes: json.length,
      jsonParseUs: measure(() => JSON.parse(json.toString("utf8")), rounds),
      parseAndWriteUs: measure(parseAndWrite, rounds),
      transcoderUs: measure(transcode, rounds),
    };
  });
}

const us = (value: number) => value.toFixed(2);
const speedUp = (theirs: number, ours: number) => `${(theirs / ours).toFixed(1)}×`;

export const run: Suite = async ({ quick }) => {
  const rounds = quick ? 3 : 7;
  const messages = messageFigures(rounds);
  const transcoding = transcodeFigures(rounds);
  return {
    tables: [
      {
        title: "messages, µs per operation",
        header: ["message", "bytes", "op", "protobuf-es µs", "service µs", "speed-up"],
        rows: messages.map((m) => [
          m.message,
          m.bytes,
          m.op,
          us(m.protobufEsUs),
          us(m.serviceUs),
          speedUp(m.protobufEsUs, m.serviceUs),
        ]),
      },
      {
        title: "session JSON → Struct bytes, µs per session",
        header: ["session", "bytes", "JSON.parse µs", "parse + writeStruct µs", "transcoder µs", "speed-up"],
        rows: transcoding.map((t) => [
          t.session,
          t.bytes,
          us(t.jsonParseUs),
          us(t.parseAndWriteUs),
          us(t.transcoderUs),
          speedUp(t.parseAndWriteUs, t.transcoderUs),
        ]),
      },
    ],
    figures: { rounds, messages, transcoding },
    targets: [],
  };
};

await runIfMain(run, import.meta.filename);
