import type { EventEmitter } from "node:events";
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";

/**
 * Headers whose repetitions must reach the interceptors. Node keeps only the first of a repeated header it takes
 * for single-valued (`authorization` among them) and drops the others without a trace, so a request carrying a
 * valid token and then junk would look like one valid token, while a proxy in front may have read the junk (or the
 * reverse): the credentials are ambiguous, and `bearer-token.ts` refuses more than one.
 */
const REPEATABLE = new Set(["authorization"]);

/**
 * Puts back the values of {@link REPEATABLE} headers that Node dropped: the header becomes the list of every value
 * sent, in order, which grpc-js turns into that many metadata values.
 */
function restoreRepeated(headers: IncomingHttpHeaders, rawHeaders: readonly string[]): void {
  let values: Map<string, string[]> | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (!REPEATABLE.has(name)) continue;
    values ??= new Map();
    const list = values.get(name);
    if (list === undefined) values.set(name, [rawHeaders[i + 1] as string]);
    else list.push(rawHeaders[i + 1] as string);
  }
  if (values === undefined) return;
  for (const [name, list] of values) {
    if (list.length > 1) (headers as Record<string, string | string[]>)[name] = list;
  }
}

/**
 * Resets a stream whose response is complete while its request is not (RFC 9113, section 8.1: RST_STREAM
 * NO_ERROR after a complete response asks the client to stop sending). A call answered before its request
 * arrived (refused, or out of time while its bytes trickle in) would otherwise stay open for as long as the
 * client keeps sending: on the server it holds a stream of the connection's `maxConcurrentStreams` and keeps the
 * connection from ever being idle.
 *
 * The reset must not overtake the status. A response without trailers (grpc-js answers trailers-only, with the
 * status in the headers, when it fails a call before any message; HTTP 415 to a request that is not gRPC) is
 * sent by the time the stream's writable side finishes. Otherwise grpc-js sends trailers from its own
 * `wantTrailers` listener, registered before the one added here; Node writes them in an immediate it schedules
 * then, so the reset goes in an immediate scheduled after it.
 */
function resetAfterResponse(stream: ServerHttp2Stream): void {
  const reset = () => {
    if (!stream.readableEnded && !stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
  };
  stream.once("finish", () => {
    if (stream.readableEnded) return;
    const headers = stream.sentHeaders ?? {};
    const trailersToCome = Number(headers[":status"]) === 200 && headers["grpc-status"] === undefined;
    if (!trailersToCome) reset();
    else if (stream.sentTrailers !== undefined) setImmediate(reset);
    else stream.once("wantTrailers", () => setImmediate(reset));
  });
}

/**
 * Watches every HTTP/2 stream of `http2Server` from its HEADERS frame on, ahead of grpc-js (whose own listener
 * comes after this one): restores repeated `authorization` headers so that they reach the auth interceptor as
 * several values, and resets streams whose response is complete while their request still comes in.
 */
export function guardStreams(http2Server: EventEmitter): void {
  http2Server.prependListener(
    "stream",
    (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      restoreRepeated(headers, rawHeaders);
      resetAfterResponse(stream);
    },
  );
}
