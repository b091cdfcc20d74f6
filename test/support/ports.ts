import { once } from "node:events";
import { createConnection, createServer, type Server } from "node:net";

/** A port held by a real listener of this process, to make something else's bind fail. */
export interface OccupiedPort {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `host`, on a free port, until closed. */
export async function occupyPort(host = "127.0.0.1"): Promise<OccupiedPort> {
  const server: Server = createServer((socket) => socket.destroy()).listen(0, host);
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port available");
  return {
    port: address.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port that was free a moment ago (listened on, then closed), for a server that must be told its port. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const occupied = await occupyPort(host);
  await occupied.close();
  return occupied.port;
}

/** Whether something accepts TCP connections on `host:port`. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
