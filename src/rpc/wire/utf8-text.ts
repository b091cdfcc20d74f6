/**
 * The UTF-8 decoding of the service's binary reader (`struct-wire.ts`). It differs
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

/** The ASCII text of `buf[start, end)`, or undefined at the first byte that is not ASCII. */
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
 * The text in `buf[start, end)`, decoded where it lies (no view of it is made: for the many short strings of
 * session data, making one cost more than decoding).
 *
 * @param strict - reject invalid UTF-8 (proto3 strings) rather than replace it.
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
