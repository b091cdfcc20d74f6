import { expect } from "vitest";
import { SessionServiceError } from "../../src/client/index.js";

/** The error a call failed with, after checking it is the client's one error class; fails if the call succeeds. */
export async function failureOf(call: Promise<unknown>): Promise<SessionServiceError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(SessionServiceError);
  return error as SessionServiceError;
}
