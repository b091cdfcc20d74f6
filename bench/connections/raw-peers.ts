/**
 * Misbehaving clients below any gRPC library (raw TCP and `node:http2`), each recording when it opened and when the
 * server ended it, and a well-behaved one (the shipped client) calling meanwhile.
 */
import { type ClientHttp2Session, connect as connectHttp2, constants } from "node:http2";
import { connect as connectTcp } from "node:net";
import { performance } from "node:perf_hooks";
import type { SessionClient } from "../../src/client/index.js";

/** The HTTP/2 client preface and an empty SETTINGS frame: all a lazy client sends. */
export const PREFACE_AND_SETTINGS = Buffer.concat([
  Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** A connection or stream of a peer: when it opened and when it ended (`performance.now()` milliseconds). */
export interface Timed {
  openedAt: number;
  /** Undefined while it is open. */
  endedAt: number | undefined;
  /** Resolves when it ends; never rejects. */
  readonly ended: Promise<void>;
}

/** A raw TCP connection held by a peer. */
export interface TcpPeer extends Timed {
  destroy(): void;
}

/**
 * Opens `count` TCP connections to `127.0.0.1:port` one after the other, each sending `send` (nothing by default:
 * a connection that never sends the HTTP/2 preface) and then nothing more, draining what the server sends. A peer
 * ends at the server's FIN or reset; with `allowHalfOpen` it keeps its side open after the FIN, and ends only when
 * the server destroys the connection (seen as an error on the next write: it writes a PING every `probeMs`).
 */
export async function tcpPeers(
  port: number,
  count: number,
  options: { send?: Buffer; allowHalfOpen?: boolean; probeMs?: number } = {},
): Promise<TcpPeer[]> {
  const peers: TcpPeer[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connectTcp({ port, host: "127.0.0.1", allowHalfOpen: options.allowHalfOpen ?? false });
    const openedAt = performance.now();
    let probe: NodeJS.Timeout | undefined;
    const peer: TcpPeer = {
      openedAt,
      endedAt: undefined,
      ended: new Promise<void>((resolve) => {
        const end = () => {
          clearInterval(probe);
          peer.endedAt ??= performance.now();
          resolve();
        };
        socket.once("error", end);
        socket.once("close", end);
        if (!options.allowHalfOpen) socket.once("end", end);
      }),
      destroy: () => socket.destroy(),
    };
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.once("connect", resolve);
      socket.once("error", () => resolve());
    });
    if (options.send !== undefined && !socket.destroyed) socket.write(options.send);
    if (options.allowHalfOpen) {
      // An HTTP/2 PING frame (ack flag clear, 8 zero bytes of data): a valid frame on a served connection.
      const ping = Buffer.from([0, 0, 8, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      probe = setInterval(() => socket.writable && socket.write(ping), options.probeMs ?? 100);
    }
    peers.push(peer);
  }
  return peers;
}

/** An HTTP/2 stream of a slow request, and how it ended. */
export interface SlowStream extends Timed {
  /** `grpc-status` of the answer; NaN when none came. */
  grpcStatus: number;
  /** The RST_STREAM code it closed with. */
  rstCode: number | undefined;
}

/**
 * Opens a plaintext HTTP/2 connection per `connections` and `streamsPerConnection` streams on each, to gRPC method
 * `path`: each sends a message prefix announcing 100 bytes, then one zero byte every `everyMs`, and never ends its
 * side (a slowloris). Each stream ends only when the server ends it.
 */
export function slowStreams(
  port: number,
  path: string,
  connections: number,
  streamsPerConnection: number,
  everyMs: number,
): { readonly streams: readonly SlowStream[]; readonly sessions: readonly ClientHttp2Session[] } {
  const streams: SlowStream[] = [];
  const sessions: ClientHttp2Session[] = [];
  const prefix = Buffer.from([0, 0, 0, 0, 100]);
  for (let c = 0; c < connections; c++) {
    const session = connectHttp2(`http://127.0.0.1:${port}`, {
      peerMaxConcurrentStreams: streamsPerConnection,
    });
    session.on("error", () => {});
    sessions.push(session);
    for (let s = 0; s < streamsPerConnection; s++) {
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: path,
        "content-type": "application/grpc",
        te: "trailers",
      });
      let trickle: NodeJS.Timeout | undefined;
      const slow: SlowStream = {
        // Replaced when the HEADERS frame is sent (`ready`): thousands of streams queue before their first byte.
        openedAt: performance.now(),
        endedAt: undefined,
        grpcStatus: Number.NaN,
        rstCode: undefined,
        ended: new Promise<void>((resolve) =>
          stream.on("close", () => {
            clearInterval(trickle);
            slow.endedAt = performance.now();
            slow.rstCode = stream.rstCode;
            resolve();
          }),
        ),
      };
      const readStatus = (headers: Record<string, unknown>) => {
        if (headers["grpc-status"] !== undefined) slow.grpcStatus = Number(headers["grpc-status"]);
      };
      stream.on("response", readStatus);
      stream.on("trailers", readStatus);
      stream.once("ready", () => {
        slow.openedAt = performance.now();
      });
      stream.on("error", () => {});
      stream.resume();
      stream.write(prefix);
      trickle = setInterval(() => {
        if (stream.writable && !stream.destroyed) stream.write(Buffer.alloc(1));
      }, everyMs);
      streams.push(slow);
    }
  }
  return { streams, sessions };
}

/** A plaintext HTTP/2 connection that completes its preface and settings, then never calls. */
export interface IdleSession extends Timed {
  /** When the server's GOAWAY arrived (`performance.now()`); undefined if none did. */
  goawayAt: number | undefined;
  /** The GOAWAY's error code. */
  goawayCode: number | undefined;
}

/** Opens `count` idle HTTP/2 connections (`node:http2`) to `127.0.0.1:port`, each connected before the next. */
export async function idleSessions(port: number, count: number): Promise<IdleSession[]> {
  const idle: IdleSession[] = [];
  for (let i = 0; i < count; i++) {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const entry: IdleSession = {
      openedAt: performance.now(),
      endedAt: undefined,
      goawayAt: undefined,
      goawayCode: undefined,
      ended: new Promise<void>((resolve) =>
        session.once("close", () => {
          entry.endedAt = performance.now();
          resolve();
        }),
      ),
    };
    session.once("goaway", (code) => {
      entry.goawayAt = performance.now();
      entry.goawayCode = code;
    });
    await new Promise<void>((resolve) => {
      session.once("connect", () => resolve());
      session.once("close", () => resolve());
    });
    idle.push(entry);
  }
  return idle;
}

/** What a well-behaved client saw while the misbehaving ones were at it. */
export interface CallsMeanwhile {
  /** Latencies of the calls that succeeded, milliseconds, sorted. */
  readonly latenciesMs: readonly number[];
  /** Failed calls by gRPC code name. */
  readonly failures: Readonly<Record<string, number>>;
}

/** Calls GetSession on `key` through `client`, one after the other, until `until` settles. */
export async function callsWhile(
  client: SessionClient,
  key: string,
  until: Promise<unknown>,
): Promise<CallsMeanwhile> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latenciesMs: number[] = [];
  const failures: Record<string, number> = {};
  while (!done) {
    const started = performance.now();
    try {
      await client.getSession({ key });
      latenciesMs.push(performance.now() - started);
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? "unknown");
      failures[code] = (failures[code] ?? 0) + 1;
    }
    // One call every 20 ms at most: a client, not a load generator.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  latenciesMs.sort((a, b) => a - b);
  return { latenciesMs, failures };
}

/** The `p`th percentile (0-100) of sorted `values`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

/** Lifetimes (`endedAt - openedAt`, milliseconds) of the ended entries, sorted. */
export function lifetimes(entries: readonly Timed[]): number[] {
  return entries
    .filter((entry) => entry.endedAt !== undefined)
    .map((entry) => (entry.endedAt as number) - entry.openedAt)
    .sort((a, b) => a - b);
}
