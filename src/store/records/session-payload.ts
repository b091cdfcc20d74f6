/**
 * A session's data as stored: its JSON, checked for shape, size and depth, compressed by the store's codec when
 * that pays; and back from a stored payload to JSON bytes and data. Both strategies store what this makes.
 */

import type { Codec } from "../../codec/codec.js";
import { CodecError } from "../../codec/codec.js";
import type { StoreCodecs } from "../../codec/codec-set.js";
import {
  CorruptRecordError,
  InvalidArgumentError,
  SessionTooDeepError,
  SessionTooLargeError,
} from "../errors.js";
import { type JsonObject, JsonText, type SessionDataInput } from "../session.js";
import { nestsDeeperThan } from "./data-depth.js";

/** How a store turns session data into a record payload. */
export interface PayloadSettings {
  /** The codec new payloads are compressed with. */
  readonly codec: Codec;
  /** Payloads of at least this many JSON bytes are compressed (when that makes them smaller). */
  readonly compressMinBytes: number;
  /** Largest JSON size accepted on write and produced on read. */
  readonly maxSessionBytes: number;
  /** Deepest nesting of objects and lists accepted on write and on read (the data object is depth 1). */
  readonly maxDataDepth: number;
}

/** An encoded payload, the id of the codec that encoded it (for the record header), and its JSON's size. */
export interface EncodedPayload {
  readonly codecId: number;
  readonly payload: Buffer;
  /** Bytes of the session's JSON before compression (for metrics: the compression ratio). */
  readonly jsonBytes: number;
}

/** The codec id of an uncompressed payload. */
const PLAIN = 0;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The session's JSON for `data`, compressed when it is at least `compressMinBytes` and the codec makes it smaller;
 * otherwise stored plain, so small sessions pay no decompression on read. A JSON object is serialized; JSON text
 * is checked (it must be the text of an object, within the limits) and stored as written, so that its integers
 * keep every digit.
 *
 * @throws {InvalidArgumentError} when `data` is not a JSON object (or the text of one).
 * @throws {SessionTooDeepError} when it nests objects and lists deeper than `maxDataDepth`.
 * @throws {SessionTooLargeError} when its JSON exceeds `maxSessionBytes`.
 */
export function encodePayload(data: SessionDataInput, settings: PayloadSettings): EncodedPayload {
  const json = data instanceof JsonText ? checkedJsonText(data, settings) : serialized(data, settings);
  if (json.byteLength > settings.maxSessionBytes) {
    throw new SessionTooLargeError(json.byteLength, settings.maxSessionBytes);
  }
  const { codec } = settings;
  if (codec.id !== PLAIN && json.byteLength >= settings.compressMinBytes) {
    const compressed = codec.compress(json);
    if (compressed.byteLength < json.byteLength) {
      return { codecId: codec.id, payload: compressed, jsonBytes: json.byteLength };
    }
  }
  return { codecId: PLAIN, payload: json, jsonBytes: json.byteLength };
}

function serialized(data: JsonObject, settings: PayloadSettings): Buffer {
  if (!isJsonObject(data)) throw new InvalidArgumentError("data", "session data must be a JSON object");
  // Before JSON.stringify: data too deep for the clients to read back is refused by its limit, and data deep
  // enough to exhaust the stack (possible through the library API, not through gRPC) never reaches it.
  if (nestsDeeperThan(data, settings.maxDataDepth)) throw new SessionTooDeepError(settings.maxDataDepth);
  let text: string;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new InvalidArgumentError("data", "session data cannot be serialized as JSON", { cause: error });
  }
  // JSON.stringify writes NaN and ±Infinity (which a Struct's double can carry) as null, so the session read back
  // would differ from the one written. Only a text with a null in it can hide one, so most saves skip the walk.
  if (text.includes("null") && hasNonFiniteNumber(data)) {
    throw new InvalidArgumentError("data", "session data holds NaN or Infinity, which JSON cannot represent");
  }
  return Buffer.from(text, "utf8");
}

/** The bytes of `data` once they are known to be the JSON text of an object within the limits. */
function checkedJsonText(data: JsonText, settings: PayloadSettings): Buffer {
  const json = Buffer.from(data.text, "utf8");
  // Sized before parsing: an oversized text costs no parse.
  if (json.byteLength > settings.maxSessionBytes) {
    throw new SessionTooLargeError(json.byteLength, settings.maxSessionBytes, "dataJson");
  }
  // JSON.parse is the grammar every reader applies; the value only serves the checks (its numbers may be rounded,
  // the text is what is stored). A text too deep for JSON.parse's own stack is too deep for any limit.
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.text);
  } catch (error) {
    if (error instanceof RangeError) throw new SessionTooDeepError(settings.maxDataDepth, "dataJson");
    throw new InvalidArgumentError("dataJson", "data_json is not valid JSON", { cause: error });
  }
  if (!isJsonObject(parsed)) throw new InvalidArgumentError("dataJson", "data_json must be a JSON object");
  if (nestsDeeperThan(parsed, settings.maxDataDepth)) {
    throw new SessionTooDeepError(settings.maxDataDepth, "dataJson");
  }
  return json;
}

/**
 * Turns a stored session's JSON, its UTF-8 bytes after decompression, into the data a read returns. Reads parse it
 * into a {@link JsonObject} ({@link parseSessionJson}) unless given another reader: the gRPC service transcodes the
 * bytes straight into a Struct's wire bytes, never building the object. A reader throws a
 * {@link CorruptRecordError} when the bytes are not a JSON object, or when the object nests objects and lists
 * deeper than `maxDataDepth` (the store's limit, the data object being depth 1: a record written before the limit
 * was lowered, or by hand); the read then reports that session as corrupt.
 */
export type SessionDataReader<D> = (json: Buffer, maxDataDepth: number) => D;

/**
 * The session data in `json` as a JSON object: the default {@link SessionDataReader}.
 *
 * @throws {CorruptRecordError} when it is not valid JSON, not an object, or nested deeper than `maxDataDepth`.
 */
export const parseSessionJson: SessionDataReader<JsonObject> = (json, maxDataDepth) => {
  let data: unknown;
  try {
    data = JSON.parse(json.toString("utf8"));
  } catch (error) {
    throw new CorruptRecordError("record payload is not valid JSON", { cause: error });
  }
  if (!isJsonObject(data)) throw new CorruptRecordError("record payload is not a JSON object");
  if (nestsDeeperThan(data, maxDataDepth)) throw new CorruptRecordError(tooDeepMessage(maxDataDepth));
  return data;
};

/** Why a stored session nested deeper than `maxDataDepth` is refused. */
function tooDeepMessage(maxDataDepth: number): string {
  return `record payload nests deeper than the store's limit of ${maxDataDepth} levels of objects and lists`;
}

/**
 * The session's JSON bytes in a payload written by any of the store's `codecs`, whatever the store writes with
 * now. What the bytes hold is the {@link SessionDataReader}'s to judge.
 *
 * @throws {CorruptRecordError} when the codec id is unknown, or the payload does not decompress within
 *   `maxSessionBytes` (or names a zstd dictionary the store does not load).
 */
export function decompressPayload(
  codecId: number,
  payload: Buffer,
  maxSessionBytes: number,
  codecs: Pick<StoreCodecs, "byId">,
): Buffer {
  const codec = codecs.byId(codecId);
  if (codec === undefined) throw new CorruptRecordError(`record has unknown codec id ${codecId}`);
  try {
    return codec.decompress(payload, maxSessionBytes);
  } catch (error) {
    if (error instanceof CodecError) {
      throw new CorruptRecordError(`record payload cannot be decoded (${error.codec}: ${error.reason})`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Whether a number in `value`, at any depth, is NaN or ±Infinity. */
function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(hasNonFiniteNumber);
}
