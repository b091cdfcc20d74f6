import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import type { ServiceClientOptions } from "./client-options.js";
import type { ServiceClient, UnaryMethodName } from "./client-types.js";
import { createClient } from "./create-client.js";

/**
 * The typed client of redisession's `SessionService`: `createSession`, `getSession`, `batchGetSessions`,
 * `saveSession`, `touchSession`, `deleteSession`, `rotateSessionKey` (each
 * `(request: init object, options?: CallOptions) => Promise<response>`), and `close()`.
 */
export type SessionClient = ServiceClient<typeof SessionService>;

/**
 * Options of {@link createSessionClient}: those of `createClient` except `retryableMethods`, which is always the
 * RPCs the proto declares idempotent ({@link IDEMPOTENT_SESSION_METHODS}). Defaults: insecure credentials,
 * `defaultTimeoutMs` 5000, retry with `maxAttempts` 4, `initialBackoffMs` 100, `maxBackoffMs` 2000,
 * `backoffMultiplier` 2, no token, no extra metadata.
 */
export type SessionClientOptions = Omit<ServiceClientOptions<typeof SessionService>, "retryableMethods">;

/**
 * The SessionService RPCs retried on UNAVAILABLE: those whose `idempotency_level` the proto declares. UNAVAILABLE
 * may come after the server carried out a call (the proto says "a write may or may not have happened"), so only
 * calls that can run twice with the effect of once are declared so:
 * - getSession and batchGetSessions read (a getSession with `touch` slides the expiry to now + ttl, and doing that
 *   twice lands on the same expiry, give or take the time between attempts);
 * - touchSession sets the expiry to now + ttl, likewise;
 * - deleteSession leaves no session however often it runs (though if an earlier attempt deleted it, the retry's
 *   `existed` is false).
 *
 * The others are not, because a repeat would apply twice: createSession would store a second, orphaned session;
 * saveSession would count the version up twice, fail a MUST_CREATE or EXPECTED_VERSION save that in fact
 * succeeded, or write stale data over a newer save; rotateSessionKey would move the session on again (losing the
 * key the first attempt made) or answer NOT_FOUND after it succeeded. Their callers decide, knowing what they sent.
 *
 * createSession and rotateSessionKey are safe to repeat when they carry a `requestId` (AIP-155): the server then
 * answers a repeat with the first attempt's result. They are still not retried here: grpc-js takes retry policies
 * per method from the service config, so a policy for them would also repeat calls made without a `requestId`.
 * Retry them in the caller instead, sending the very same request (one `randomUUID()` per logical request, kept
 * across its attempts) on UNAVAILABLE or DEADLINE_EXCEEDED, within the store's `requestIdTtl` (default 10 minutes).
 */
export const IDEMPOTENT_SESSION_METHODS: readonly UnaryMethodName<typeof SessionService>[] = Object.freeze(
  SessionService.methods
    .filter(
      (method) =>
        method.methodKind === "unary" &&
        method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN,
    )
    .map((method) => method.localName as UnaryMethodName<typeof SessionService>),
);

/**
 * Makes a client of a redisession server.
 *
 * ```ts
 * const sessions = createSessionClient("sessions.internal:50051", {
 *   tls: { rootCerts: readFileSync("ca.pem") },
 *   token: process.env.SESSIONS_TOKEN,
 * });
 * const { session } = await sessions.createSession({ data: { cart: [] }, ttl: { seconds: 3600n } });
 * try {
 *   const condition = SaveCondition.EXPECTED_VERSION;
 *   await sessions.saveSession({ key: session!.key, data, condition, expectedVersion: 1 });
 * } catch (error) {
 *   if (error instanceof SessionServiceError && error.code === Code.ABORTED) {
 *     // another writer won: read again and retry
 *   }
 * }
 * sessions.close();
 * ```
 *
 * @param target - the server, as grpc-js takes it: `host:port`, `dns:///host:port`, `unix:/path`, …
 * @param options - see {@link SessionClientOptions} for each default.
 * @throws TypeError or RangeError for invalid options.
 */
export function createSessionClient(target: string, options: SessionClientOptions = {}): SessionClient {
  return createClient(SessionService, target, { ...options, retryableMethods: undefined });
}
