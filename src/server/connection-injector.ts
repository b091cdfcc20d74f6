import type { EventEmitter } from "node:events";
import { type ConnectionInjector, type Server, ServerCredentials } from "@grpc/grpc-js";
import { http2ServersOf } from "./http2-servers.js";

/** A grpc-js connection injector, and the Node HTTP/2 server behind it. */
export interface InjectorWithHttp2Server {
  /** Where connections are handed to grpc-js (`connection-listener.ts` decides which, and when). */
  readonly injector: ConnectionInjector;
  /**
   * The Node `Http2Server` that makes the injected connections' HTTP/2 sessions. Its `stream` event is the only
   * place where a request's raw header list can be seen (Node keeps only the first of repeated `authorization`
   * headers in the header object grpc-js reads) and where a stream can be reset (see `stream-guard.ts`).
   */
  readonly http2Server: EventEmitter;
}

/**
 * Makes a plaintext connection injector on `server` (TLS, when configured, is done before the injection: see
 * `connection-listener.ts`), and finds the HTTP/2 server grpc-js made for it. grpc-js offers no public way to that
 * server, so it is read from a private field: the one it made while the injector was created. An upgrade of
 * grpc-js that changes this fails every start of the server with this error, not silently.
 *
 * @throws Error when the HTTP/2 server cannot be found.
 */
export function createInjector(server: Server): InjectorWithHttp2Server {
  const before = new Set(http2ServersOf(server).keys());
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const made = [...http2ServersOf(server).keys()].filter((candidate) => !before.has(candidate));
  const http2Server = made[0];
  if (made.length !== 1 || http2Server === undefined || typeof http2Server.prependListener !== "function") {
    injector.destroy();
    throw new Error("could not find the HTTP/2 server of the grpc-js connection injector");
  }
  return { injector, http2Server };
}
