import { connect, constants } from "node:http2";

/** What a raw gRPC exchange ended with. */
export interface RawGrpcReply {
  /** The HTTP status of the response headers. */
  readonly httpStatus: number | undefined;
  /** `grpc-status`, from the trailers (or from the headers of a trailers-only response); NaN when absent. */
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  /** The response body (length-prefixed messages), as received. */
  readonly body: Buffer;
}

/** One length-prefixed gRPC message: a compressed flag, a 4-byte big-endian length, then `payload`. */
export function grpcFrame(
  payload: Uint8Array,
  options: { compressed?: boolean; length?: number } = {},
): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(options.compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(options.length ?? payload.byteLength, 1);
  return Buffer.concat([prefix, payload]);
}

/**
 * Sends `body` as the whole request stream of a POST to `path` on the plaintext HTTP/2 server at `target`
 * (`host:port`), with gRPC's headers (overridable by `headers`), below any gRPC library: the bytes can be any
 * framing, valid or not.
 */
export function rawGrpcPost(
  target: string,
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<RawGrpcReply> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${target}`);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no answer to ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    session.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let httpStatus: number | undefined;
    let fields: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (responseHeaders) => {
      httpStatus = Number(responseHeaders[constants.HTTP2_HEADER_STATUS]);
      fields = { ...responseHeaders };
    });
    stream.on("trailers", (trailers) => {
      fields = { ...fields, ...trailers };
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", (error) => {
      clearTimeout(timer);
      session.close();
      reject(error);
    });
    stream.on("close", () => {
      clearTimeout(timer);
      session.close();
      resolve({
        httpStatus,
        grpcStatus: fields["grpc-status"] === undefined ? Number.NaN : Number(fields["grpc-status"]),
        grpcMessage: decodeURIComponent(String(fields["grpc-message"] ?? "")),
        body: Buffer.concat(chunks),
      });
    });
    stream.end(body);
  });
}
