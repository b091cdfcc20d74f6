/**
 * `google.protobuf.Timestamp` and `Duration` fields (a session's times, an idle TTL) written and read by hand, for
 * the messages around session data that the service writes and reads itself (`session-responses.ts`,
 * `session-requests.ts`). Both types are `seconds = 1` (int64) and `nanos = 2` (int32).
 */
import type { MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { BinaryReader } from "@bufbuild/protobuf/wire";
import type { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { checkReadDepth, ended, skipField } from "./struct-wire.js";
import type { WireWriter } from "./wire-writer.js";

/** A Timestamp or a Duration message. */
export type Time = MessageShape<typeof TimestampSchema> | MessageShape<typeof DurationSchema>;
/** A Timestamp or a Duration, as a message or an init object. */
export type TimeInit = MessageInitShape<typeof TimestampSchema> | MessageInitShape<typeof DurationSchema>;

const SECONDS = (1 << 3) | 0;
const NANOS = (2 << 3) | 0;

/** A Timestamp or Duration field (one-byte tag `tag`): seconds and nanos, each left out at zero as proto3 leaves it. */
export function writeTime(writer: WireWriter, tag: number, time: TimeInit | undefined): void {
  if (time === undefined) return;
  const start = writer.forkField(tag);
  if (time.seconds !== undefined && Number(time.seconds) !== 0) {
    writer.byte(SECONDS);
    writer.int64(time.seconds);
  }
  if (time.nanos) {
    writer.byte(NANOS);
    writer.int32(time.nanos);
  }
  writer.join(start);
}

/**
 * A Timestamp or Duration (`typeName`) from the reader's position to `end`, at message depth `depth`, merged into
 * `into` when the field came before (as protobuf merges a message field given twice).
 */
export function readTime<T extends Time>(
  reader: BinaryReader,
  end: number,
  depth: number,
  typeName: T["$typeName"],
  into: T | undefined,
): T {
  checkReadDepth(depth, typeName);
  const time = into ?? ({ $typeName: typeName, seconds: 0n, nanos: 0 } as T);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === SECONDS) time.seconds = reader.int64() as bigint;
    else if (tag === NANOS) time.nanos = reader.int32();
    else skipField(reader, tag, 2, typeName, depth);
  }
  ended(reader, end);
  return time;
}
