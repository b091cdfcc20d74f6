import { type Server, ServerCredentials } from "@grpc/grpc-js";

/**
 * Binds a bare grpc-js `server` (a test's own, not redisession's) to a free loopback port without TLS, and resolves
 * that port.
 */
export function bindLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}
