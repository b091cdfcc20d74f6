import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import type { ServiceClientOptions } from "./client-options.js";
import type { ServiceClient } from "./client-types.js";
import { createClient } from "./create-client.js";

/**
 * The typed client of redisession's `SessionAdminService`, for operators: `purgeExpired`, `getStoreStats` and
 * `listStores` (each `(request: init object, options?: CallOptions) => Promise<response>`), and `close()`.
 */
export type AdminClient = ServiceClient<typeof SessionAdminService>;

/**
 * Options of {@link createAdminClient}: those of `createClient` except `retryableMethods`, which is always every
 * admin RPC (the proto declares all three idempotent or free of side effects). Defaults: insecure credentials,
 * `defaultTimeoutMs` 5000 (a purge of a large store may want more: it stops between batches when the deadline
 * passes), retry with `maxAttempts` 4, no token, no extra metadata. A server with `server.auth` admits admin calls
 * only with a token that has the `admin` scope.
 */
export type AdminClientOptions = Omit<ServiceClientOptions<typeof SessionAdminService>, "retryableMethods">;

/**
 * Makes a client of a redisession server's admin service.
 *
 * ```ts
 * const admin = createAdminClient("sessions.internal:50051", { token: process.env.SESSIONS_ADMIN_TOKEN });
 * const { stores } = await admin.listStores({});
 * const stats = await admin.getStoreStats({ store: "default" });
 * admin.close();
 * ```
 *
 * @param target - the server, as grpc-js takes it: `host:port`, `dns:///host:port`, `unix:/path`, …
 * @param options - see {@link AdminClientOptions} for each default.
 * @throws TypeError or RangeError for invalid options.
 */
export function createAdminClient(target: string, options: AdminClientOptions = {}): AdminClient {
  return createClient(SessionAdminService, target, { ...options, retryableMethods: undefined });
}
