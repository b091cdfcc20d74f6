import { isUtf8 } from "node:buffer";
import { WireDecodeError } from "./wire-errors.js";

/**
 * UTF-8 text out of a received buffer. Node's native decoder does the work; strict validation costs a second look
 * only for the rare text that holds U+FFFD, the character every invalid sequence decodes to.
 *
 * No cache of decoded strings: a table of recent short strings would keep session values (tokens, names) alive
 * after their request, in a process whose memory may be dumped.
 *
 * Invalid UTF-8 is handled as protobuf-es handles it: a field that validates UTF-8 (every proto3 string) rejects it,
 * any other gets U+FFFD for each invalid sequence (WHATWG decoding, as TextDecoder does). One deliberate
 * difference: a leading U+FEFF (byte order mark) is kept. protobuf-es decodes with a TextDecoder that drops it, so a
 * string that starts with U+FEFF would lose that character on a round trip; every other protobuf runtime keeps it.
 */

/** Strings up to this many bytes are tried as ASCII in JavaScript first (see {@link asciiText}). */
const SHORT_TEXT_BYTES = 16;

/**
 * The ASCII text in `buf[start, end)`, or `undefined` at the first byte that is not ASCII. For the short strings
 * that fill session data (keys, flags, ids) a loop here takes about two thirds of the time of
 * `Buffer#toString`, whose cost is mostly its call into C++.
 */
function asciiText(buf: Buffer, start: number, end: number): string | undefined {
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (byte >= 0x80) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * The text in `buf[start, end)`.
 *
 * @param strict - reject invalid UTF-8 (proto3 strings, `utf8_validation = VERIFY`) rather than replace it.
 * @throws WireDecodeError when `strict` and the bytes are not valid UTF-8.
 */
export function readUtf8(buf: Buffer, start: number, end: number, strict: boolean): string {
  const text =
    (end - start <= SHORT_TEXT_BYTES ? asciiText(buf, start, end) : undefined) ??
    buf.toString("utf8", start, end);
  // Valid UTF-8 decodes to U+FFFD only where it encodes U+FFFD itself; only then is a full check needed.
  if (strict && text.indexOf("\uFFFD") !== -1 && !isUtf8(buf.subarray(start, end))) {
    throw new WireDecodeError("invalid UTF-8 in a string");
  }
  return text;
}
