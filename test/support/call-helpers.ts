import { expect } from "vitest";
import { SessionServiceError } from "../../src/client/index.js";
import { createRedisClient } from "../../src/store/redis-connection.js";

/** The error a call failed with, after checking it is the client's one error class; fails if the call succeeds. */
export async function failureOf(call: Promise<unknown>): Promise<SessionServiceError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(SessionServiceError);
  return error as SessionServiceError;
}

/**
 * Makes the Redis at `url` stop answering every other client for `seconds` (CLIENT PAUSE): connected, but hung.
 * Resolves once the pause is in force, so calls made afterwards are sure to wait; the returned function waits
 * for the pause to end.
 */
export async function pauseRedis(url: string, seconds: number): Promise<() => Promise<void>> {
  const pauser = createRedisClient({ name: "pauser", url, connectTimeoutMs: 500 });
  await pauser.connect();
  await pauser.sendCommand(["CLIENT", "PAUSE", String(Math.round(seconds * 1000)), "ALL"]);
  pauser.destroy();
  const ends = Date.now() + seconds * 1000;
  return () => new Promise((resolve) => setTimeout(resolve, Math.max(0, ends - Date.now())));
}
