import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";

const PREFACE_LENGTH = 24;
const FRAME_HEADER_LENGTH = 9;
const HEADERS = 0x1;
const CONTINUATION = 0x9;
const END_HEADERS = 0x4;
const PADDED = 0x8;

/** An HPACK integer with an `prefixBits`-bit prefix (RFC 7541, 5.1), the prefix's other bits from `flags`. */
function hpackInteger(value: number, prefixBits: number, flags = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([flags | value]);
  const bytes = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** An HPACK string literal, not Huffman-coded (RFC 7541, 5.2). */
function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  return Buffer.concat([hpackInteger(bytes.length, 7), bytes]);
}

/**
 * One header field as "literal without indexing, new name" (RFC 7541, 6.2.2): it touches neither side's dynamic
 * table, so it can be appended to any header block without desynchronising the two ends.
 */
export function literalHeaderField(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00]), hpackString(name), hpackString(value)]);
}

/**
 * Rewrites the client-to-server bytes of an HTTP/2 connection, appending `extra` to the header block of every
 * request (the last fragment of each HEADERS, or its CONTINUATION). Server-to-client bytes pass untouched.
 */
class HeaderAppender {
  private pending = Buffer.alloc(0);
  private prefaceSeen = false;

  constructor(private readonly extra: Buffer) {}

  /** Whatever of `chunk` can be forwarded now, rewritten. */
  push(chunk: Buffer): Buffer {
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    if (!this.prefaceSeen) {
      if (this.pending.length < PREFACE_LENGTH) return Buffer.alloc(0);
      out.push(this.pending.subarray(0, PREFACE_LENGTH));
      this.pending = this.pending.subarray(PREFACE_LENGTH);
      this.prefaceSeen = true;
    }
    while (this.pending.length >= FRAME_HEADER_LENGTH) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < FRAME_HEADER_LENGTH + length) break;
      const frame = this.pending.subarray(0, FRAME_HEADER_LENGTH + length);
      this.pending = this.pending.subarray(FRAME_HEADER_LENGTH + length);
      out.push(this.rewrite(frame));
    }
    return Buffer.concat(out);
  }

  private rewrite(frame: Buffer): Buffer {
    const type = frame[3] ?? 0;
    const flags = frame[4] ?? 0;
    const endsBlock = (type === HEADERS || type === CONTINUATION) && (flags & END_HEADERS) !== 0;
    // Node's client never pads; a padded frame would need the padding moved after the new field.
    if (!endsBlock || (flags & PADDED) !== 0) return frame;
    const header = Buffer.from(frame.subarray(0, FRAME_HEADER_LENGTH));
    header.writeUIntBE(frame.length - FRAME_HEADER_LENGTH + this.extra.length, 0, 3);
    return Buffer.concat([header, frame.subarray(FRAME_HEADER_LENGTH), this.extra]);
  }
}

/** A local TCP proxy to a server; see {@link headerInjectingProxy}. */
export type HeaderInjectingProxy = TcpRelay;

/**
 * A plaintext TCP proxy to `127.0.0.1:targetPort` that appends the header `name: value` to every request's headers,
 * after those the client sent: how a request with a header twice reaches a server, since Node's HTTP/2 client
 * refuses to send `authorization` twice. Any client (the shipped one included) can go through it.
 */
export async function headerInjectingProxy(
  targetPort: number,
  name: string,
  value: string,
): Promise<HeaderInjectingProxy> {
  const extra = literalHeaderField(name, value);
  return startTcpRelay(targetPort, (client, upstream) => {
    const appender = new HeaderAppender(extra);
    client.on("data", (chunk: Buffer) => upstream.write(appender.push(chunk)));
    client.on("end", () => upstream.end());
    upstream.pipe(client);
  });
}
