import { isUtf8 } from "node:buffer";
import { WireDecodeError } from "./wire-errors.js";

/**
 * UTF-8 text out of a received buffer. Node's native decoder does the work; strict validation costs a second look
 * only for the rare text that holds U+FFFD, the character every invalid sequence decodes to. Short strings come from
 * a cache: the same few dozen keys and small values ("cart", "theme", a store's name) recur in every message, and
 * making a string from bytes natively costs about 100 ns, several times a cache lookup.
 *
 * Invalid UTF-8 is handled as protobuf-es handles it: a field that validates UTF-8 (every proto3 string) rejects it,
 * any other gets U+FFFD for each invalid sequence (WHATWG decoding, as TextDecoder does). One deliberate
 * difference: a leading U+FEFF (byte order mark) is kept. protobuf-es decodes with a TextDecoder that drops it, so a
 * string that starts with U+FEFF would lose that character on a round trip; every other protobuf runtime keeps it.
 */

/** `Buffer#utf8Slice` (what `toString("utf8", …)` calls after checking its arguments), where Node has it. */
const nativeSlice = (Buffer.prototype as unknown as { utf8Slice?: (start: number, end: number) => string })
  .utf8Slice;

const slice: (buf: Buffer, start: number, end: number) => string =
  typeof nativeSlice === "function"
    ? (buf, start, end) => nativeSlice.call(buf, start, end)
    : (buf, start, end) => buf.toString("utf8", start, end);

// The cache: direct-mapped (a colliding string replaces the one in its slot), of strings up to CACHED_BYTES long,
// each slot holding the string, its UTF-8 length and bytes. Bounded at SLOTS * CACHED_BYTES bytes plus the strings.
// Session keys (32 bytes) are left out on purpose: a bearer secret should not outlive its request in a global table.
const SLOTS = 4096;
const CACHED_BYTES = 24;
const cachedText: (string | undefined)[] = new Array(SLOTS).fill(undefined);
const cachedLength = new Int8Array(SLOTS).fill(-1);
const cachedBytes = new Uint8Array(SLOTS * CACHED_BYTES);

/** The cached string of `buf[start, end)`, or the decoded one (cached if valid UTF-8). */
function shortText(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  let hash = length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
  const base = slot * CACHED_BYTES;
  if (cachedLength[slot] === length) {
    let i = 0;
    while (i < length && cachedBytes[base + i] === buf[start + i]) i++;
    if (i === length) return cachedText[slot] as string;
  }
  const text = slice(buf, start, end);
  // Only valid UTF-8 is cached, so that a hit never skips validation (a U+FFFD-free string is valid).
  if (text.indexOf("\uFFFD") === -1) {
    cachedText[slot] = text;
    cachedLength[slot] = length;
    for (let i = 0; i < length; i++) cachedBytes[base + i] = buf[start + i] as number;
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
  const text = end - start <= CACHED_BYTES ? shortText(buf, start, end) : slice(buf, start, end);
  // Valid UTF-8 decodes to U+FFFD only where it encodes U+FFFD itself; only then is a full check needed.
  if (strict && text.indexOf("\uFFFD") !== -1 && !isUtf8(buf.subarray(start, end))) {
    throw new WireDecodeError("invalid UTF-8 in a string");
  }
  return text;
}
