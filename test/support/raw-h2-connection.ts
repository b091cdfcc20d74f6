import { once } from "node:events";
import { connect, type Socket } from "node:net";

/**
 * An HTTP/2 client made of hand-written frames over a plain TCP socket, for what `node:http2`'s client cannot do:
 * send frames in any order (RST_STREAM for a stream long closed), and keep the connection open after a GOAWAY
 * with an error code (Node's client closes it at once, hiding whether the server would have).
 */

/** Frame types (RFC 9113, section 6). */
export const FrameType = { HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7 } as const;

/** Frame flags used here. */
const END_HEADERS = 0x4;
const ACK = 0x1;

/** RST_STREAM's error code for a request the client no longer wants. */
export const CANCEL = 0x8;

/** The client connection preface. */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** One frame: its 9-byte header and `payload`. */
export function frame(
  type: number,
  flags: number,
  streamId: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** An HPACK string literal, not Huffman-coded (up to 126 bytes). */
function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/**
 * The header block of a gRPC POST to `path` (up to 126 bytes), from HPACK's static table and literals that are
 * never indexed, so that every block is the same bytes whatever was sent before.
 */
export function grpcRequestHeaders(path: string): Buffer {
  return Buffer.concat([
    Buffer.from([0x83, 0x86]), // :method POST, :scheme http (static table 3 and 6)
    // :authority, name from the static table (1), value literal: nghttp2 refuses a request without it (or host).
    Buffer.from([0x01]),
    hpackString("127.0.0.1"),
    Buffer.from([0x04]), // :path, name from the static table (4), value literal
    hpackString(path),
    Buffer.from([0x0f, 0x10]), // content-type, name from the static table (31), value literal
    hpackString("application/grpc"),
    Buffer.from([0x00]), // te, both literal
    hpackString("te"),
    hpackString("trailers"),
  ]);
}

/** HEADERS opening stream `streamId` (no END_STREAM: the request body would follow). */
export function headersFrame(streamId: number, block: Buffer): Buffer {
  return frame(FrameType.HEADERS, END_HEADERS, streamId, block);
}

/** RST_STREAM for `streamId` with CANCEL. */
export function cancelFrame(streamId: number): Buffer {
  const code = Buffer.alloc(4);
  code.writeUInt32BE(CANCEL);
  return frame(FrameType.RST_STREAM, 0, streamId, code);
}

/** A GOAWAY frame's content. */
export interface Goaway {
  readonly lastStreamId: number;
  readonly errorCode: number;
}

/** A raw HTTP/2 client connection. */
export class RawH2Connection {
  /** Resolves with the first GOAWAY the server sends. */
  readonly goaway: Promise<Goaway>;
  /** Resolves when the server has closed the connection (its FIN or a reset); this side never closes it first. */
  readonly closedByServer: Promise<void>;
  private received = Buffer.alloc(0);
  private gotGoaway: Goaway | undefined;
  private onGoaway!: (goaway: Goaway) => void;

  private constructor(private readonly socket: Socket) {
    this.goaway = new Promise((resolve) => {
      this.onGoaway = resolve;
    });
    this.closedByServer = new Promise((resolve) => {
      // "end" is the server's FIN; "close" also covers a reset (an error, which is expected here).
      socket.once("end", () => resolve());
      socket.once("close", () => resolve());
    });
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => this.read(chunk));
  }

  /** Connects to `127.0.0.1:port` and sends the preface and an empty SETTINGS frame. */
  static async open(port: number): Promise<RawH2Connection> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    // Half-open: the server's FIN must not make Node end this side, nor must anything else.
    socket.allowHalfOpen = true;
    const connection = new RawH2Connection(socket);
    await connection.send(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0)]));
    return connection;
  }

  /** Whether a GOAWAY has arrived. */
  get goneAway(): boolean {
    return this.gotGoaway !== undefined;
  }

  /** Writes `bytes`; resolves once the socket can take more (so that a loop of sends does not buffer forever). */
  async send(bytes: Buffer): Promise<void> {
    if (this.socket.destroyed) return;
    if (!this.socket.write(bytes)) await Promise.race([once(this.socket, "drain"), this.closedByServer]);
  }

  /** Destroys the socket (for the end of a test). */
  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    while (this.received.length >= 9) {
      const length = this.received.readUIntBE(0, 3);
      if (this.received.length < 9 + length) return;
      const type = this.received.readUInt8(3);
      const flags = this.received.readUInt8(4);
      const payload = this.received.subarray(9, 9 + length);
      this.received = this.received.subarray(9 + length);
      if (type === FrameType.SETTINGS && (flags & ACK) === 0) {
        this.socket.write(frame(FrameType.SETTINGS, ACK, 0));
      } else if (type === FrameType.GOAWAY && this.gotGoaway === undefined) {
        this.gotGoaway = {
          lastStreamId: payload.readUInt32BE(0) & 0x7fffffff,
          errorCode: payload.readUInt32BE(4),
        };
        this.onGoaway(this.gotGoaway);
      }
    }
  }
}
