/**
 * Micro-benchmark of the compiled wire codec against protobuf-es, on the messages that dominate the service's CPU
 * profile: GetSession responses (~200 B and ~1 KB of session JSON), a BatchGetSessions response of 100 ~200 B
 * sessions (the throughput bench's batch), and SaveSession request decoding. Standalone, no server:
 *
 *   node --import tsx bench/wire-codec.ts
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
  SaveSessionRequestSchema,
  type SessionSchema,
} from "../gen/redisession/v1/session_service_pb.js";
import { compileCodec } from "../src/rpc/wire/message-codec.js";
import { session as corpusSession } from "./codecs/corpus.js";

/** Session `index` of the codec bench's corpus tier of about `bytes` bytes of JSON. */
const session = (bytes: number, index: number) => corpusSession(bytes, index) as JsonObject;

const ROUNDS = 7;
const ROUND_MS = 200;

/** Median µs per call of `run` over ROUNDS timed rounds of about ROUND_MS each, after a warm-up. */
function measure(run: () => unknown): number {
  let sink = 0;
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < ROUND_MS) {
    if (run() !== undefined) sink++;
    calls++;
  }
  const perRound = Math.max(10, calls);
  const results: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) if (run() !== undefined) sink++;
    results.push(((performance.now() - t0) * 1000) / perRound);
  }
  if (sink < 0) console.log(sink);
  results.sort((a, b) => a - b);
  return results[Math.floor(ROUNDS / 2)] as number;
}

function sessionInit(data: JsonObject, index: number): MessageInitShape<typeof SessionSchema> {
  const now = 1_717_000_000_000 + index * 1000;
  return {
    key: index.toString(16).padStart(32, "0"),
    data,
    version: 3,
    createTime: timestampFromMs(now - 3_600_000),
    expireTime: timestampFromMs(now + 1_800_000),
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
    init: { store: "default", key: "ab".repeat(16), data: session(1024, 2), condition: 1 },
    encode: false,
  },
];

const rows: string[][] = [["message", "bytes", "op", "protobuf-es µs", "compiled µs", "speed-up"]];
for (const { name, schema, init, encode } of cases) {
  const codec = compileCodec(schema);
  const bytes = toBinary(schema, create(schema, init));
  if (!Buffer.from(bytes).equals(codec.encode(init))) throw new Error(`${name}: the codecs' bytes differ`);
  const row = (op: string, theirs: number, ours: number) =>
    rows.push([
      name,
      String(bytes.length),
      op,
      theirs.toFixed(2),
      ours.toFixed(2),
      `${(theirs / ours).toFixed(1)}×`,
    ]);
  if (encode) {
    row(
      "encode",
      measure(() => toBinary(schema, create(schema, init))),
      measure(() => codec.encode(init)),
    );
  }
  const buffer = Buffer.from(bytes);
  row(
    "decode",
    measure(() => fromBinary(schema, buffer)),
    measure(() => codec.decode(buffer)),
  );
}

// Text columns left-aligned, figures right-aligned.
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
for (const row of rows) {
  const cells = row.map((cell, column) => {
    const width = widths[column] ?? 0;
    return column < 2 ? cell.padEnd(width) : cell.padStart(width);
  });
  console.log(cells.join("  "));
}
