/**
 * The UTF-8 decoder the service's binary readers are built with (protobuf-es's `BinaryReader` takes one). It differs
 * from protobuf-es's own in one deliberate way: a leading U+FEFF (byte order mark) is kept. protobuf-es decodes with
 * a `TextDecoder` that drops it, so a session string starting with U+FEFF would lose that character on a round trip;
 * every other protobuf runtime keeps it. Invalid UTF-8 is handled as protobuf-es handles it: a field that validates
 * UTF-8 (every proto3 string) rejects it, any other gets U+FFFD for each invalid sequence.
 *
 * No cache of decoded strings: a table of recent short strings would keep session values (tokens, names) alive
 * after their request, in a process whose memory may be dumped.
 */
import { isUtf8 } from "node:buffer";
import { WireDecodeError } from "./wire-errors.js";

/** Strings up to this many bytes are tried as ASCII in JavaScript first: cheaper than a call into C++. */
const SHORT_TEXT_BYTES = 16;

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** The ASCII text of `bytes`, or undefined at the first byte that is not ASCII. */
function asciiText(bytes: Uint8Array): string | undefined {
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * The text in `bytes`.
 *
 * @param strict - reject invalid UTF-8 (proto3 strings) rather than replace it.
 * @throws WireDecodeError when `strict` and the bytes are not valid UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, strict = false): string {
  const ascii = bytes.length <= SHORT_TEXT_BYTES ? asciiText(bytes) : undefined;
  if (ascii !== undefined) return ascii;
  // gRPC hands over Buffers, and their subarrays are Buffers: Node's own decoder is the fastest.
  const text = Buffer.isBuffer(bytes) ? bytes.toString("utf8") : decoder.decode(bytes);
  // Valid UTF-8 decodes to U+FFFD only where it encodes U+FFFD itself; only then is a full check needed.
  if (strict && text.indexOf("\uFFFD") !== -1 && !isUtf8(bytes)) {
    throw new WireDecodeError("invalid UTF-8 in a string");
  }
  return text;
}
