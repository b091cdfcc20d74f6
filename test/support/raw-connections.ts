import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";

/** The HTTP/2 client preface and an empty SETTINGS frame: what a client sends first, and all a lazy one sends. */
export const PREFACE_AND_SETTINGS = Buffer.concat([
  Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** A raw connection a test holds open, and how it ends. */
export interface HeldConnection {
  readonly socket: Socket | TLSSocket;
  /** Resolves when the server ends the connection (its FIN or a reset); never rejects. */
  readonly ended: Promise<void>;
}

/** What {@link holdConnection} does once connected. */
export interface HoldOptions {
  /** Sent once connected (nothing by default: a connection that never sends the preface). */
  readonly send?: Buffer | string;
  /** Keep our side open after the server's FIN, as a client that never closes does. Default: false. */
  readonly allowHalfOpen?: boolean;
  /** Complete a TLS handshake first (ALPN h2), trusting `ca`. */
  readonly tls?: { readonly ca: Buffer };
}

/**
 * Opens a TCP (or TLS) connection to `127.0.0.1:port` below any HTTP/2 library, sends `send` if given, and holds it:
 * drains what the server sends without answering it, and never closes. Resolves once connected (TLS: once the
 * handshake is done).
 */
export function holdConnection(port: number, options: HoldOptions = {}): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    const onConnect = () => {
      if (options.send !== undefined) socket.write(options.send);
      socket.off("error", reject);
      resolve({ socket, ended });
    };
    const socket =
      options.tls === undefined
        ? connectTcp({ port, host: "127.0.0.1", allowHalfOpen: options.allowHalfOpen ?? false }, onConnect)
        : connectTls(
            { port, host: "127.0.0.1", ca: options.tls.ca, ALPNProtocols: ["h2"], servername: "localhost" },
            onConnect,
          );
    socket.once("error", reject);
    const ended = new Promise<void>((done) => {
      socket.on("error", () => done());
      socket.once("end", () => done());
      socket.once("close", () => done());
    });
    // Whatever the server sends (SETTINGS, GOAWAY) is drained, so that its end is seen.
    socket.resume();
  });
}

/** Opens `count` held connections one after the other (see {@link holdConnection}). */
export async function holdConnections(
  port: number,
  count: number,
  options: HoldOptions = {},
): Promise<HeldConnection[]> {
  const held: HeldConnection[] = [];
  for (let i = 0; i < count; i++) held.push(await holdConnection(port, options));
  return held;
}

/** Closes held connections from the client's side. */
export function release(held: readonly HeldConnection[]): void {
  for (const { socket } of held) socket.destroy();
}
