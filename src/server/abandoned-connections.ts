import type { ServerHttp2Session } from "node:http2";
import type { Logger } from "./logger.js";

/**
 * Connections Node's HTTP/2 layer has given up on, closed.
 *
 * nghttp2, under Node's HTTP/2, can end a connection by itself: against rapid reset (CVE-2023-44487), past a burst
 * of 1,000 RST_STREAM frames from the client (refilled at 33 a second), it sends GOAWAY INTERNAL_ERROR and from then
 * on wants neither to read nor to write. Node then stops reading the socket but does not close it: it never even
 * sees the client leave. Such a connection keeps its socket, its nghttp2 session and Node's buffers until grpc-js'
 * keepalive gives up on it (`keepaliveTimeMs` + `keepaliveTimeoutMs`: 80 s by default). A client that reconnects
 * after each GOAWAY piles them up: measured, 1,000 such connections held 1,000 file descriptors and about 25 MB of
 * native memory.
 *
 * Nothing in Node's public API says that a session is in that state, nor when it gets there (the RST_STREAM
 * frames that trip the guard may name streams closed long before, which Node reports nowhere). Node's own check is
 * `hasPendingData()` on the session's native handle, with which `Http2Session.close()` decides that a closed
 * session can go: it is read here through the symbol Node keeps the handle under, every second, for every open
 * connection.
 */

/** How often open connections are checked. */
export const ABANDONED_SWEEP_INTERVAL_MS = 1000;

/** The least time between two log lines about closed connections. */
const LOG_INTERVAL_MS = 60_000;

/** The native side of a Node HTTP/2 session, as far as it is used here. */
interface NativeSession {
  hasPendingData(): boolean;
}

/** The symbol Node keeps a session's native handle under (`kHandle`); found on the first session seen. */
let handleSymbol: symbol | undefined;

function nativeSession(session: ServerHttp2Session): NativeSession | undefined {
  handleSymbol ??= Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === "kHandle");
  if (handleSymbol === undefined) return undefined;
  const handle = (session as unknown as Record<symbol, unknown>)[handleSymbol] as
    | Partial<NativeSession>
    | undefined;
  return typeof handle?.hasPendingData === "function" ? (handle as NativeSession) : undefined;
}

/**
 * Whether nghttp2 is done with `session`: it wants neither to read nor to write (it sent GOAWAY and ended the
 * session, or both sides did and no stream is left). Undefined when this Node keeps its handle elsewhere.
 */
export function isAbandoned(session: ServerHttp2Session): boolean | undefined {
  if (session.destroyed) return false;
  const native = nativeSession(session);
  return native === undefined ? undefined : !native.hasPendingData();
}

/** A running sweep of abandoned connections. */
export interface AbandonedConnectionSweep {
  /** Closes the abandoned connections among `sessions()` now; returns how many. */
  sweep(): number;
  /** Stops the periodic sweep. */
  stop(): void;
}

/**
 * Closes, every {@link ABANDONED_SWEEP_INTERVAL_MS}, the connections among `sessions()` that nghttp2 is done with
 * (see {@link isAbandoned}), and logs how many at most once a minute. If this Node keeps a session's handle where
 * {@link isAbandoned} cannot find it, says so once in the log: keepalive is then what closes them.
 */
export function sweepAbandonedConnections(
  sessions: () => Iterable<ServerHttp2Session>,
  logger: Logger,
): AbandonedConnectionSweep {
  let unlogged = 0;
  let lastLogged = Number.NEGATIVE_INFINITY;
  let unsupported = false;
  const sweep = (): number => {
    let closed = 0;
    for (const session of sessions()) {
      const abandoned = isAbandoned(session);
      if (abandoned === undefined && !unsupported) {
        unsupported = true;
        logger.warn(
          "this Node's HTTP/2 sessions cannot be checked: connections it gives up on stay open until keepalive closes them",
        );
      }
      if (abandoned !== true) continue;
      // Its GOAWAY went out already; this closes the socket.
      session.destroy();
      closed++;
    }
    unlogged += closed;
    const now = Date.now();
    if (unlogged > 0 && now - lastLogged >= LOG_INTERVAL_MS) {
      logger.warn(
        { connections: unlogged },
        "closed HTTP/2 connections the HTTP/2 layer had ended with GOAWAY (rapid reset, a flood or a protocol error)",
      );
      unlogged = 0;
      lastLogged = now;
    }
    return closed;
  };
  const timer = setInterval(sweep, ABANDONED_SWEEP_INTERVAL_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
