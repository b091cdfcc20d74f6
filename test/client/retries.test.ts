import { describe, expect, it } from "vitest";
import { Code, IDEMPOTENT_SESSION_METHODS, SessionServiceError } from "../../src/client/index.js";
import {
  connect,
  type MethodName,
  rejectionOf,
  type ScriptedHandlers,
  StatusError,
  startFakeServer,
} from "./fake-session-server.js";

const KEY = "0123456789abcdef0123456789abcdef";
/** Short backoffs keep the tests quick; the defaults are exercised by the first test. */
const QUICK = { initialBackoffMs: 10, maxBackoffMs: 20 };

/** A handler that fails with `code` for the first `failures` calls, then answers with an empty response. */
function failing(failures: number, code = Code.UNAVAILABLE) {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls <= failures) {
      throw new StatusError(code, `attempt ${calls} failed`);
    }
    return {};
  };
}

/** Calls `method` with an empty request; every SessionService request accepts one. */
function call(client: ReturnType<typeof connect>, method: MethodName): Promise<unknown> {
  const fn = client[method] as (request: object) => Promise<unknown>;
  return fn({});
}

const NOT_RETRIED = ["createSession", "saveSession", "rotateSessionKey"] as const;

describe("retries on UNAVAILABLE", () => {
  it("retries getSession with the default policy: two failures, then success, in three calls", async () => {
    const server = await startFakeServer({ getSession: failing(2) });
    const client = connect(server.target);

    const response = await client.getSession({ key: KEY });

    expect(response.$typeName).toBe("redisession.v1.GetSessionResponse");
    expect(server.count("getSession")).toBe(3);
  });

  it.each(IDEMPOTENT_SESSION_METHODS)("retries the idempotent %s", async (method) => {
    const server = await startFakeServer({ [method]: failing(2) } as ScriptedHandlers);
    const client = connect(server.target, { retry: QUICK });

    await call(client, method);

    expect(server.count(method)).toBe(3);
  });

  it.each(NOT_RETRIED)("does not retry %s, which could apply twice", async (method) => {
    const server = await startFakeServer({ [method]: failing(1) } as ScriptedHandlers);
    const client = connect(server.target, { retry: QUICK });

    const error = (await rejectionOf(call(client, method))) as SessionServiceError;

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.details).toBe("attempt 1 failed");
    expect(server.count(method)).toBe(1);
  });

  it("does not retry with retry: false", async () => {
    const server = await startFakeServer({ getSession: failing(1) });
    const client = connect(server.target, { retry: false });

    const error = (await rejectionOf(client.getSession({ key: KEY }))) as SessionServiceError;

    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(server.count("getSession")).toBe(1);
  });

  it("stops after maxAttempts and rejects with the last failure", async () => {
    const server = await startFakeServer({ touchSession: failing(Number.POSITIVE_INFINITY) });
    const client = connect(server.target, { retry: { ...QUICK, maxAttempts: 3 } });

    const error = (await rejectionOf(client.touchSession({ key: KEY }))) as SessionServiceError;

    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.details).toBe("attempt 3 failed");
    expect(server.count("touchSession")).toBe(3);
  });

  it("does not retry other codes, even for idempotent methods", async () => {
    const server = await startFakeServer({ getSession: failing(1, Code.NOT_FOUND) });
    const client = connect(server.target, { retry: QUICK });

    const error = (await rejectionOf(client.getSession({ key: KEY }))) as SessionServiceError;

    expect(error.code).toBe(Code.NOT_FOUND);
    expect(server.count("getSession")).toBe(1);
  });

  it("tells the server which attempt it is receiving", async () => {
    const server = await startFakeServer({ deleteSession: failing(1) });
    const client = connect(server.target, { retry: QUICK });

    await client.deleteSession({ key: KEY });

    expect(server.calls.map((received) => received.metadata.get("grpc-previous-rpc-attempts"))).toEqual([
      [],
      ["1"],
    ]);
  });
});
