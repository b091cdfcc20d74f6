import type { Http2SecureServer, Http2Server, ServerHttp2Session } from "node:http2";
import type { Server } from "@grpc/grpc-js";

/** A Node HTTP/2 server a grpc-js Server listens with, plaintext or TLS. */
export type NodeHttp2Server = Http2Server | Http2SecureServer;

/** What grpc-js keeps of each of its HTTP/2 servers (its private `http2Servers` map, grpc-js 1.10 and later). */
interface Http2ServerEntry {
  readonly sessions: ReadonlySet<ServerHttp2Session>;
}

/**
 * The Node HTTP/2 servers `server` listens with (one per bound address, made when it binds), each with the sessions
 * (connections) it has open. grpc-js offers no hook on its connections and keeps these in a private map: it is read
 * here only, so that a grpc-js upgrade that moves it breaks one place, loudly.
 *
 * @throws {Error} when `server` holds no such map: a grpc-js whose internals changed, which must fail the start
 *   rather than leave connections unwatched.
 */
export function http2ServersOf(server: Server): ReadonlyMap<NodeHttp2Server, Http2ServerEntry> {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) {
    throw new Error("this grpc-js keeps no http2Servers map: its HTTP/2 connections cannot be watched");
  }
  return servers as ReadonlyMap<NodeHttp2Server, Http2ServerEntry>;
}

/** Every HTTP/2 session (connection) `server` has open now, on every address it listens on. */
export function* openHttp2Sessions(server: Server): Generator<ServerHttp2Session> {
  for (const entry of http2ServersOf(server).values()) yield* entry.sessions;
}
