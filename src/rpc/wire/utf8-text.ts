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

/**
 * The text in `buf[start, end)`.
 *
 * @param strict - reject invalid UTF-8 (proto3 strings, `utf8_validation = VERIFY`) rather than replace it.
 * @throws WireDecodeError when `strict` and the bytes are not valid UTF-8.
 */
export function readUtf8(buf: Buffer, start: number, end: number, strict: boolean): string {
  const text = buf.toString("utf8", start, end);
  // Valid UTF-8 decodes to U+FFFD only where it encodes U+FFFD itself; only then is a full check needed.
  if (strict && text.indexOf("\uFFFD") !== -1 && !isUtf8(buf.subarray(start, end))) {
    throw new WireDecodeError("invalid UTF-8 in a string");
  }
  return text;
}
