import { type ClientHttp2Session, constants } from "node:http2";
import { grpcFrame } from "./raw-http2.js";

/** How a stream looked from the client when it closed. */
export interface ClosedStream {
  /** `grpc-status` from the response headers (trailers-only) or the trailers; NaN when none came. */
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  /** The RST_STREAM code the stream closed with (NO_ERROR, 0, after a complete response). */
  readonly rstCode: number | undefined;
  /**
   * Whether the server closed the stream while the client was still sending (Node's `aborted`: a reset while
   * the writable side was open); a slow request never ends its side, so only the server closes it.
   */
  readonly cutOff: boolean;
  /** Response body bytes received. */
  readonly bodyBytes: number;
}

/** What {@link slowRequest} sends. */
export interface SlowRequestOptions {
  /** Bytes sent at once after the headers. Default: a gRPC message prefix announcing 100 bytes, which never come. */
  readonly first?: Buffer;
  /** How often one more byte is sent (a zero byte), until the stream closes. Default: 20. */
  readonly everyMs?: number;
  /** Extra request headers (`authorization`, say). */
  readonly headers?: Record<string, string>;
}

/**
 * Opens a gRPC request stream to `path` on `session` that never completes (a slowloris): the headers, `first`,
 * then one byte every `everyMs` for as long as the stream is open; the client never ends its side. Resolves when
 * the stream closes, however that happens: only the server can close it.
 */
export function slowRequest(
  session: ClientHttp2Session,
  path: string,
  options: SlowRequestOptions = {},
): Promise<ClosedStream> {
  return new Promise((resolve) => {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      "content-type": "application/grpc",
      te: "trailers",
      ...options.headers,
    });
    let fields: Record<string, unknown> = {};
    let bodyBytes = 0;
    stream.on("response", (headers) => {
      fields = { ...headers };
    });
    stream.on("trailers", (trailers) => {
      fields = { ...fields, ...trailers };
    });
    stream.on("data", (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    // A reset stream may report an error too; its close tells all.
    stream.on("error", () => {});
    stream.write(options.first ?? grpcFrame(Buffer.alloc(0), { length: 100 }));
    const trickle = setInterval(() => {
      if (stream.writable && !stream.destroyed) stream.write(Buffer.alloc(1));
    }, options.everyMs ?? 20);
    stream.on("close", () => {
      clearInterval(trickle);
      resolve({
        grpcStatus: fields["grpc-status"] === undefined ? Number.NaN : Number(fields["grpc-status"]),
        grpcMessage: decodeURIComponent(String(fields["grpc-message"] ?? "")),
        rstCode: stream.rstCode,
        cutOff: stream.aborted,
        bodyBytes,
      });
    });
  });
}
