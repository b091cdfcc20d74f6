import { createServer } from "node:net";
import type { Server, ServerCredentials } from "@grpc/grpc-js";
import { formatAddress, ListenError, type ListenerAddress, systemErrorCode } from "./listen-error.js";

/** Listens on `host:port` with a plain TCP listener and closes it again; rejects with the system's error. */
function tryAddress(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ host, port }, () => probe.close(() => resolve()));
  });
}

/** The part of grpc-js's bind error that says why: `listen EADDRINUSE: address already in use 0.0.0.0:50051`. */
function grpcBindReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /errors: \[(.+)\]$/.exec(message)?.[1] ?? message;
}

/**
 * Binds `server` to `listener`'s address, and resolves the port it listens on (the real one when 0 was asked for).
 * From then on grpc-js serves calls there.
 *
 * @throws {ListenError} when the address cannot be bound.
 */
export async function bindGrpcServer(
  server: Server,
  listener: ListenerAddress,
  credentials: ServerCredentials,
): Promise<number> {
  // grpc-js reports a failed bind only as text, after printing "No address added out of total 1 resolved" to stderr
  // itself. Trying the address first with a plain listener gives the system's error code, and keeps that line away.
  try {
    await tryAddress(listener.host, listener.port);
  } catch (error) {
    throw new ListenError(listener, systemErrorCode(error), { cause: error });
  }
  try {
    return await new Promise<number>((resolve, reject) => {
      server.bindAsync(formatAddress(listener.host, listener.port), credentials, (error, port) =>
        error ? reject(error) : resolve(port),
      );
    });
  } catch (error) {
    // Taken in the instant between the try and the bind: grpc-js's own words are all there is.
    throw new ListenError(listener, undefined, { cause: error, reason: grpcBindReason(error) });
  }
}
