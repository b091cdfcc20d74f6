import { type AddressInfo, createServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from "node:tls";

/** The HTTP/2 client connection preface (RFC 9113, section 3.4): the first bytes of every HTTP/2 client. */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** What happens to connections, for logs and metrics. Each hook is called once per event; a throw is ignored. */
export interface ConnectionEvents {
  /** A connection was closed as soon as it was accepted: `maxConnections` were open, none in its handshake. */
  refused?(): void;
  /** A connection still in its handshake was closed to make room for a new one: `maxConnections` were open. */
  evicted?(): void;
  /** A connection was closed because it had not completed its handshake within `handshakeTimeoutMs`. */
  handshakeTimedOut?(): void;
}

/** What {@link listenForConnections} needs. */
export interface ConnectionListenerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** The TLS options (see `server-tls.ts`); undefined: plaintext. */
  readonly tls?: TlsOptions;
  /**
   * Connections open at once, in every state. One more closes the oldest still in its handshake to make room, or,
   * when every open one is past it, is closed as soon as it is accepted.
   */
  readonly maxConnections: number;
  /**
   * How long a connection has for its TLS handshake and the HTTP/2 preface before it is closed; and, once the
   * server has ended a connection (its HTTP/2 session closed), how long the client has to close its side.
   */
  readonly handshakeTimeoutMs: number;
  /**
   * Takes over a connection that completed its handshake (grpc-js's connection injector): the preface is read,
   * and put back into the connection for its HTTP/2 session to read again.
   */
  readonly serve: (connection: Duplex) => void;
  readonly events?: ConnectionEvents;
}

/** The gRPC port's listener. */
export interface ConnectionListener {
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** Connections open now, in every state. */
  readonly open: number;
  /** Stops accepting connections, and closes those still in their handshake; served ones are left alone. */
  stopAccepting(): void;
  /** Closes every connection at once (the end of a forced shutdown). */
  destroyAll(): void;
}

/**
 * Listens for gRPC connections and owns them until they are ready for HTTP/2: grpc-js serves only connections that
 * completed their handshake. A connection is counted from its acceptance. Beyond `maxConnections`, the oldest
 * connection still in its handshake is closed to make room for it: connections that never send the preface cannot
 * keep new clients out, as a client that does send it is past its handshake within a round trip, long before
 * `maxConnections` newer connections have arrived. When every open connection is past its handshake, the new one
 * is closed at once instead, before anything is read from it. A connection then has `handshakeTimeoutMs` for
 * the TLS handshake (with `tls`) and the 24-byte HTTP/2 preface, or it is closed; bytes that cannot be the start of
 * the preface (an HTTP/1.1 request, TLS on a plaintext port) close it at once. Connections that reach grpc-js
 * are bounded there: idle ones by `grpc.max_connection_idle_ms`, dead ones by keepalive pings, each stream by the
 * request deadline.
 *
 * When grpc-js closes a session (idle, GOAWAY, shutdown), Node ends the socket and waits for the client to close
 * its side, or for the last bytes to be written: a client that never closes, or never reads, would keep the
 * connection forever. A served connection whose writable side has ended is therefore destroyed after one to two
 * `handshakeTimeoutMs` (a sweep every `handshakeTimeoutMs`: one timer for all connections, none per connection).
 *
 * @throws the `listen` error (EADDRINUSE, EACCES, ...) when the port cannot be listened on.
 */
export async function listenForConnections(options: ConnectionListenerOptions): Promise<ConnectionListener> {
  const listener = new Listener(options);
  await listener.listen();
  return listener;
}

/** Calls an event hook; a throw must never fail a connection, nor crash the server. */
function report(hook: (() => void) | undefined): void {
  try {
    hook?.();
  } catch {
    // Counting a connection is not worth losing it.
  }
}

/** The handshake timer's callback: module-level, so that no closure is made per connection. */
function handshakeTimeout(listener: Listener, socket: Socket, endpoint: string): void {
  setImmediate(closeLate, listener, socket, endpoint);
}

/** The immediate's callback, module-level likewise: see {@link Listener.closeLate}. */
function closeLate(listener: Listener, socket: Socket, endpoint: string): void {
  listener.closeLate(socket, endpoint);
}

/** One connection between its acceptance and the end of its handshake. */
interface Handshake {
  readonly socket: Socket;
  readonly timer: NodeJS.Timeout;
}

class Listener implements ConnectionListener {
  private readonly server = createServer();
  private readonly tlsServer;
  /** Every accepted TCP connection until it closes, in every state. */
  private readonly sockets = new Set<Socket>();
  /**
   * Connections still in their handshake, by remote endpoint: the one thing a TLS socket and the TCP socket under
   * it both tell without Node internals.
   */
  private readonly handshakes = new Map<string, Handshake>();
  /** Connections handed to grpc-js, and whether the last sweep found them ended (see {@link sweepEnded}). */
  private readonly served = new Map<Duplex, boolean>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: ConnectionListenerOptions) {
    this.server.on("connection", (socket) => this.accept(socket));
    this.tlsServer =
      options.tls === undefined
        ? undefined
        : createTlsServer({ ...options.tls, handshakeTimeout: options.handshakeTimeoutMs })
            .on("secureConnection", (socket: TLSSocket) => this.secured(socket))
            // A failed handshake (no client certificate, an untrusted one, a plaintext client): the socket is
            // closed; nothing to log, as grpc-js logged nothing either.
            .on("tlsClientError", (_error, socket) => socket.destroy());
    this.sweeper = setInterval(() => this.sweepEnded(), options.handshakeTimeoutMs);
    this.sweeper.unref();
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get open(): number {
    return this.sockets.size;
  }

  stopAccepting(): void {
    this.server.close();
    for (const { socket } of this.handshakes.values()) socket.destroy();
  }

  destroyAll(): void {
    clearInterval(this.sweeper);
    for (const socket of this.sockets) socket.destroy();
  }

  /** Destroys served connections found ended by the previous sweep already; marks those ended since. */
  private sweepEnded(): void {
    for (const [connection, endedBefore] of this.served) {
      if (connection.destroyed) this.served.delete(connection);
      else if (endedBefore) connection.destroy();
      else if (connection.writableEnded) this.served.set(connection, true);
    }
  }

  private accept(socket: Socket): void {
    // A reset connection emits 'error'; unhandled, it would crash the process. Its HTTP/2 session, once there is
    // one, reports what matters.
    socket.on("error", () => {});
    if (this.sockets.size >= this.options.maxConnections && !this.evictOldestHandshake()) {
      report(this.options.events?.refused);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const endpoint = `${socket.remoteAddress}|${socket.remotePort}`;
    const timer = setTimeout(handshakeTimeout, this.options.handshakeTimeoutMs, this, socket, endpoint);
    this.handshakes.set(endpoint, { socket, timer });
    socket.once("close", () => {
      this.sockets.delete(socket);
      if (this.handshakes.get(endpoint)?.socket === socket) this.endHandshake(endpoint);
    });
    if (this.tlsServer === undefined) this.readPreface(socket, endpoint);
    else this.tlsServer.emit("connection", socket);
  }

  private secured(socket: TLSSocket): void {
    const endpoint = `${socket.remoteAddress}|${socket.remotePort}`;
    // gRPC is HTTP/2 only; a client that did not ask for it by ALPN would not understand the answers.
    if (!this.handshakes.has(endpoint) || socket.alpnProtocol !== "h2") {
      socket.destroy();
      return;
    }
    this.readPreface(socket, endpoint);
  }

  /** Reads the preface; hands the connection over once it is all there, or closes it as soon as it cannot be. */
  private readPreface(socket: Socket | TLSSocket, endpoint: string): void {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const received = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const compared = Math.min(length, PREFACE.length);
      if (!received.subarray(0, compared).equals(PREFACE.subarray(0, compared))) {
        socket.destroy();
        return;
      }
      if (length < PREFACE.length) return;
      socket.off("data", onData);
      socket.pause();
      this.endHandshake(endpoint);
      // What was read goes back: the HTTP/2 session reads a socket's buffered bytes before its own (Node does
      // this for connections handed over after some reading, nodejs/node#34532).
      socket.unshift(received);
      this.served.set(socket, false);
      socket.once("close", () => this.served.delete(socket));
      this.options.serve(socket);
    };
    socket.on("data", onData);
  }

  /**
   * Closes the connection that has been in its handshake the longest (the handshakes are kept in the order they
   * began); false when none is. It stops counting at once: its 'close' event comes later, after other connections
   * may have been accepted.
   */
  private evictOldestHandshake(): boolean {
    const oldest = this.handshakes.entries().next();
    if (oldest.done) return false;
    const [endpoint, { socket }] = oldest.value;
    this.endHandshake(endpoint);
    this.sockets.delete(socket);
    report(this.options.events?.evicted);
    socket.destroy();
    return true;
  }

  /**
   * Closes a connection whose handshake is over time, unless it completed meanwhile. Timers run before the event
   * loop reads sockets: after a stall (a long GC, a loaded host), a preface that arrived in time would otherwise be
   * lost with its connection. So the close waits for the next read of the sockets (an immediate runs right after
   * it), and happens only if the handshake is still pending then.
   */
  closeLate(socket: Socket, endpoint: string): void {
    if (this.handshakes.get(endpoint)?.socket !== socket) return;
    report(this.options.events?.handshakeTimedOut);
    socket.destroy();
  }

  private endHandshake(endpoint: string): void {
    const handshake = this.handshakes.get(endpoint);
    if (handshake === undefined) return;
    clearTimeout(handshake.timer);
    this.handshakes.delete(endpoint);
  }
}
