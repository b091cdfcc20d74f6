/**
 * The one place where node-redis failures and Redis error replies become store errors (unavailable, full, refused),
 * so that nothing above the link looks at a client's errors.
 */

import {
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from "redis";
import { BackendError, BackendFullError, BackendUnavailableError, SessionStoreError } from "../errors.js";

/** node-redis failures that mean "Redis is not reachable right now", whatever the command was. */
const UNREACHABLE = [
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
];

/**
 * Error replies (by their first word, which is how Redis types its errors) that a healthy, reachable server does
 * not give: it is loading, busy with a script, failing over or a read-only replica. Retrying later can succeed.
 */
const TRANSIENT_REPLIES = new Set(["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"]);

/**
 * Error replies saying the service's own credentials are missing, wrong or lack a permission (ACL). The service
 * cannot serve until its configuration or the ACL is fixed: that is "unavailable" to callers, not a fault of the
 * request, and the message says which so an operator finds it without the cause.
 */
const CREDENTIAL_REPLIES = new Set(["NOAUTH", "WRONGPASS", "NOPERM"]);

/**
 * The error reply of a write refused because Redis is out of memory (`maxmemory` reached under `noeviction`, or
 * nothing left to evict). Redis 7 keeps this code first when the refusal comes from a command a Lua script
 * called (`OOM command not allowed ... script: <sha>, on @user_script:9.`), and a script declaring flags without
 * `allow-oom` is refused with the same code before it runs.
 */
const OUT_OF_MEMORY_REPLY = "OOM";

/** Socket errors (by `code`) from below node-redis. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
]);

/**
 * node-redis' refusal when `commandsQueueMaxLength` commands are already pending. It is a plain `Error`, so its
 * message is all there is to recognise it by.
 */
const QUEUE_FULL_MESSAGE = "The queue is full";

/** The first word of a Redis error reply, e.g. `NOSCRIPT`. */
export function replyErrorCode(error: unknown): string | undefined {
  if (!(error instanceof ErrorReply)) return undefined;
  return error.message.split(" ", 1)[0];
}

/**
 * The one place where Redis-client failures become store errors. The message names only the kind of failure;
 * the client's error is kept as `cause` for logs.
 */
export function toStoreError(error: unknown): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  if (UNREACHABLE.some((type) => error instanceof type)) {
    return new BackendUnavailableError("Redis is unavailable", { cause: error });
  }
  if (error instanceof Error && error.message === QUEUE_FULL_MESSAGE) {
    // Redis is not keeping up (or is frozen): failing now keeps memory bounded and the caller can retry.
    return new BackendUnavailableError("Redis is unavailable (too many commands pending)", { cause: error });
  }
  const replyCode = replyErrorCode(error);
  if (replyCode !== undefined) {
    // Redis also cuts an unauthenticated connection short at a long command ("ERR Protocol error:
    // unauthenticated multibulk length"): the same missing password, seen sooner.
    const unauthenticated = replyCode === "ERR" && /\bunauthenticated\b/.test((error as Error).message);
    if (CREDENTIAL_REPLIES.has(replyCode) || unauthenticated) {
      return new BackendUnavailableError(
        `Redis refused the service's credentials (${unauthenticated ? "unauthenticated" : replyCode})`,
        { cause: error },
      );
    }
    if (replyCode === OUT_OF_MEMORY_REPLY) {
      // Not passing (UNAVAILABLE would invite retries) and not a bug (INTERNAL): the operator must give Redis room.
      return new BackendFullError("the session store's Redis is out of memory: writes are refused", {
        cause: error,
      });
    }
    if (TRANSIENT_REPLIES.has(replyCode)) {
      return new BackendUnavailableError(`Redis is unavailable (${replyCode})`, { cause: error });
    }
    return new BackendError(`Redis refused the command (${replyCode})`, { cause: error });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    return new BackendUnavailableError("Redis is unavailable", { cause: error });
  }
  return new BackendError("Redis call failed", { cause: error });
}
