/**
 * A TCP relay on a free loopback port to a server on `127.0.0.1`, for the test helpers that stand between a client and
 * a real server and act on what passes (the Redis interposer, the header-injecting proxy): it pairs each accepted
 * connection with one to the server, ends both when either fails, and closes every one of them when it stops.
 */
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** A running relay. */
export interface TcpRelay {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** Stops listening and closes every relayed connection. */
  close(): Promise<void>;
}

/**
 * Starts a relay to `127.0.0.1:targetPort`. `relay` wires each pair: what goes from `client` to `upstream` and back
 * (the relay itself forwards nothing).
 */
export async function startTcpRelay(
  targetPort: number,
  relay: (client: Socket, upstream: Socket) => void,
): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("tcp relay: no port");
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
