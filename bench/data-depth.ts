/**
 * What the store's `maxDataDepth` costs: the depth walk every save runs before JSON.stringify, against the whole
 * payload encoding it is part of, and the transcoder that reads stored JSON into GetSession responses with and
 * without its level limit. On the codec bench's ~200 B and ~1 KB corpus sessions and a hand-written one.
 * Standalone, no server:
 *
 *   node --import tsx bench/data-depth.ts
 *
 * Each figure is the median of several timed rounds after a warm-up, in µs per operation.
 */
import { codecByName } from "../src/codec/codec-registry.js";
import { writeJsonTextAsStruct } from "../src/rpc/wire/json-text-struct.js";
import { WireWriter } from "../src/rpc/wire/wire-writer.js";
import { nestsDeeperThan } from "../src/store/data-depth.js";
import { encodePayload, type PayloadSettings } from "../src/store/session-payload.js";
import { measure, printTable } from "./support/micro-timing.js";
import { SAMPLE_SESSIONS } from "./support/sample-sessions.js";

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

const saveRows: string[][] = [
  [
    "save path",
    "JSON bytes",
    "depth walk µs",
    "encodePayload µs (none)",
    "share",
    "encodePayload µs (zstd)",
    "share",
  ],
];
for (const [name, data] of sessions) {
  if (nestsDeeperThan(data, MAX_DATA_DEPTH)) throw new Error(`${name}: deeper than the limit`);
  const walk = measure(() => nestsDeeperThan(data, MAX_DATA_DEPTH));
  const plain = measure(() => encodePayload(data, settings("none")));
  const zstd = measure(() => encodePayload(data, settings("zstd")));
  const share = (total: number) => `${((walk / total) * 100).toFixed(1)}%`;
  saveRows.push([
    name,
    String(Buffer.byteLength(JSON.stringify(data))),
    walk.toFixed(3),
    plain.toFixed(2),
    share(plain),
    zstd.toFixed(2),
    share(zstd),
  ]);
}
printTable(saveRows);

const readRows: string[][] = [
  ["read path (stored JSON → Struct)", "JSON bytes", "no limit µs", "limit 32 µs"],
];
for (const [name, data] of sessions) {
  const json = Buffer.from(JSON.stringify(data));
  const writer = new WireWriter();
  const transcode = (maxLevels: number) => () => {
    writer.reset();
    writeJsonTextAsStruct(writer, json, STRUCT_DEPTH, maxLevels);
    return writer.pos;
  };
  readRows.push([
    name,
    String(json.length),
    measure(transcode(Number.POSITIVE_INFINITY)).toFixed(2),
    measure(transcode(MAX_DATA_DEPTH)).toFixed(2),
  ]);
}
console.log();
printTable(readRows);
