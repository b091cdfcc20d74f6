import { MAX_MESSAGE_DEPTH, WireDepthError, WireEncodeError } from "./wire-errors.js";
import type { WireReader } from "./wire-reader.js";
import type { WireWriter } from "./wire-writer.js";

/**
 * What every message codec offers the fields that hold it, whoever does the work: the compiled field tables, the
 * JSON Struct codec, or protobuf-es for the types the compiler leaves to it. Nested messages are written and read
 * through this interface only, so a message never knows how its fields' types are coded.
 */
export interface MessageWire {
  /** The message's full protobuf name, for error messages. */
  readonly typeName: string;
  /**
   * Writes the fields of `value`, without a tag or a length: a message or an init object of the type (a
   * `JsonObject` for a Struct field). `depth` is this message's depth, the outermost being 1.
   */
  write(writer: WireWriter, value: unknown, depth: number): void;
  /**
   * Reads a message from `reader.pos` to `reader.limit`. When the field appeared before (protobuf merges repeated
   * occurrences of a singular message field), `target` is the value read then, to merge into.
   */
  read(reader: WireReader, depth: number, target: unknown): unknown;
}

/** Throws when a message being written would be deeper than any decoder accepts. */
export function checkWriteDepth(depth: number, typeName: string): void {
  if (depth > MAX_MESSAGE_DEPTH) {
    throw new WireEncodeError(`cannot encode ${typeName}: nested deeper than ${MAX_MESSAGE_DEPTH} messages`);
  }
}

/** Throws when a message being read is deeper than {@link MAX_MESSAGE_DEPTH}. */
export function checkReadDepth(depth: number, typeName: string): void {
  if (depth > MAX_MESSAGE_DEPTH) {
    throw new WireDepthError(`${typeName} nested deeper than ${MAX_MESSAGE_DEPTH} messages`);
  }
}

/** Writes `value` as a length-delimited message (the caller wrote the tag). */
export function writeDelimited(writer: WireWriter, wire: MessageWire, value: unknown, depth: number): void {
  const start = writer.fork();
  wire.write(writer, value, depth);
  writer.join(start);
}

/** Reads a length-delimited message at the reader's position, its reads bounded by its length. */
export function readDelimited(
  reader: WireReader,
  wire: MessageWire,
  depth: number,
  target: unknown,
): unknown {
  const end = reader.delimitedEnd();
  const outer = reader.limit;
  reader.limit = end;
  const value = wire.read(reader, depth, target);
  reader.limit = outer;
  return value;
}
