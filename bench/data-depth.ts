/**
 * What the store's `maxDataDepth` costs: the depth walk every save runs before JSON.stringify, against the whole
 * payload encoding it is part of, and the transcoder that reads stored JSON into GetSession responses with and
 * without its level limit. On the codec bench's ~200 B and ~1 KB corpus sessions and a hand-written one.
 * No server:
 *
 *   npm run bench -- --only data-depth [--quick]   (or node --import tsx bench/data-depth.ts [--quick])
 *
 * Each figure is the median of several timed rounds after a warm-up, in µs per operation.
 */
import { codecByName } from "../src/codec/codec-registry.js";
import { writeJsonTextAsStruct } from "../src/rpc/wire/json-text-struct.js";
import { WireWriter } from "../src/rpc/wire/wire-writer.js";
import { nestsDeeperThan } from "../src/store/records/data-depth.js";
import { encodePayload, type PayloadSettings } from "../src/store/records/session-payload.js";
import { measure } from "./support/micro-timing.js";
import { SAMPLE_SESSIONS } from "./support/sample-sessions.js";
import { runIfMain, type Suite } from "./support/suite.js";

/** The default store's limit. */
const MAX_DATA_DEPTH = 32;
/** Session.data in a GetSessionResponse. */
const STRUCT_DEPTH = 3;

const sessions = SAMPLE_SESSIONS;

/** The default store's payload settings (zstd from 400 B), with `codec` instead when given. */
function settings(codec: "zstd" | "none"): PayloadSettings {
  return {
    codec: codecByName(codec),
    compressMinBytes: 400,
    maxSessionBytes: 1024 * 1024,
    maxDataDepth: MAX_DATA_DEPTH,
  };
}

/** The save path of one session: the depth walk against the payload encoding it is part of, µs per save. */
interface SaveFigure {
  readonly session: string;
  readonly jsonBytes: number;
  readonly depthWalkUs: number;
  readonly encodeNoneUs: number;
  readonly encodeZstdUs: number;
}

/** The read path of one session: stored JSON to Struct bytes without and with the level limit, µs per read. */
interface ReadFigure {
  readonly session: string;
  readonly jsonBytes: number;
  readonly noLimitUs: number;
  readonly limitUs: number;
}

function saveFigures(rounds: number): SaveFigure[] {
  return sessions.map(([name, data]) => {
    if (nestsDeeperThan(data, MAX_DATA_DEPTH)) throw new Error(`${name}: deeper than the limit`);
    return {
      session: name,
      jsonBytes: Buffer.byteLength(JSON.stringify(data)),
      depthWalkUs: measure(() => nestsDeeperThan(data, MAX_DATA_DEPTH), rounds),
      encodeNoneUs: measure(() => encodePayload(data, settings("none")), rounds),
      encodeZstdUs: measure(() => encodePayload(data, settings("zstd")), rounds),
    };
  });
}

function readFigures(rounds: number): ReadFigure[] {
  return sessions.map(([name, data]) => {
    const json = Buffer.from(JSON.stringify(data));
    const writer = new WireWriter();
    const transcode = (maxLevels: number) => () => {
      writer.reset();
      writeJsonTextAsStruct(writer, json, STRUCT_DEPTH, maxLevels);
      return writer.pos;
    };
    return {
      session: name,
      jsonBytes: json.length,
      noLimitUs: measure(transcode(Number.POSITIVE_INFINITY), rounds),
      limitUs: measure(transcode(MAX_DATA_DEPTH), rounds),
    };
  });
}

const share = (part: number, total: number) => `${((part / total) * 100).toFixed(1)}%`;

export const run: Suite = async ({ quick }) => {
  const rounds = quick ? 3 : 7;
  const save = saveFigures(rounds);
  const read = readFigures(rounds);
  return {
    tables: [
      {
        title: "save path, µs per save",
        header: [
          "session",
          "JSON bytes",
          "depth walk µs",
          "encodePayload µs (none)",
          "share",
          "encodePayload µs (zstd)",
          "share",
        ],
        rows: save.map((f) => [
          f.session,
          f.jsonBytes,
          f.depthWalkUs.toFixed(3),
          f.encodeNoneUs.toFixed(2),
          share(f.depthWalkUs, f.encodeNoneUs),
          f.encodeZstdUs.toFixed(2),
          share(f.depthWalkUs, f.encodeZstdUs),
        ]),
      },
      {
        title: "read path (stored JSON → Struct), µs per read",
        header: ["session", "JSON bytes", "no limit µs", `limit ${MAX_DATA_DEPTH} µs`],
        rows: read.map((f) => [f.session, f.jsonBytes, f.noLimitUs.toFixed(2), f.limitUs.toFixed(2)]),
      },
    ],
    figures: { rounds, maxDataDepth: MAX_DATA_DEPTH, save, read },
    targets: [],
  };
};

await runIfMain(run, import.meta.filename);
