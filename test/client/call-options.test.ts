import { describe, expect, it } from "vitest";
import { Code, SessionServiceError } from "../../src/client/index.js";
import { connect, never, rejectionOf, startFakeServer } from "./fake-session-server.js";

const KEY = "0123456789abcdef0123456789abcdef";

/** A promise and the function that resolves it, to learn when the server has the call. */
function signalled(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("deadlines", () => {
  it("gives every call the default deadline: a call the server never answers ends DEADLINE_EXCEEDED", async () => {
    const server = await startFakeServer({ getSession: never });
    const client = connect(server.target, { defaultTimeoutMs: 200 });

    const error = (await rejectionOf(client.getSession({ key: KEY }))) as SessionServiceError;

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it("sends the 5 s default deadline to the server when none is configured", async () => {
    const server = await startFakeServer({ deleteSession: () => ({}) });
    const client = connect(server.target);
    const before = Date.now();
    await client.deleteSession({ key: KEY });
    const after = Date.now();

    // Five seconds from the moment the call was made, which lies between `before` and `after` however long the
    // call took (the grpc-timeout header is rounded up to the millisecond).
    const deadline = Number(server.calls[0]?.deadline);
    expect(deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(deadline).toBeLessThanOrEqual(after + 5_000 + 1);
  });

  it("lets a call's timeoutMs replace the default", async () => {
    const server = await startFakeServer({ touchSession: never });
    const client = connect(server.target, { defaultTimeoutMs: 0 });

    const error = (await rejectionOf(
      client.touchSession({ key: KEY }, { timeoutMs: 150 }),
    )) as SessionServiceError;

    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it("sends no deadline when defaultTimeoutMs is 0", async () => {
    const server = await startFakeServer({ deleteSession: () => ({}) });
    const client = connect(server.target, { defaultTimeoutMs: 0 });

    await client.deleteSession({ key: KEY });

    expect(server.calls[0]?.deadline).toBe(Number.POSITIVE_INFINITY);
  });

  it("sends no deadline when a call's timeoutMs is 0", async () => {
    const server = await startFakeServer({ deleteSession: () => ({}) });
    const client = connect(server.target, { defaultTimeoutMs: 200 });

    await client.deleteSession({ key: KEY }, { timeoutMs: 0 });

    expect(server.calls[0]?.deadline).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("abort signals", () => {
  it("cancels a call in flight: it rejects with CANCELLED", async () => {
    const arrived = signalled();
    const server = await startFakeServer({
      getSession: () => {
        arrived.resolve();
        return never();
      },
    });
    const client = connect(server.target, { defaultTimeoutMs: 10_000 });
    const controller = new AbortController();

    const call = rejectionOf(client.getSession({ key: KEY }, { signal: controller.signal }));
    await arrived.promise;
    controller.abort();
    const error = (await call) as SessionServiceError;

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(error.code).toBe(Code.CANCELLED);
  });

  it("does not send a call whose signal is already aborted", async () => {
    const server = await startFakeServer({ getSession: () => ({}) });
    const client = connect(server.target);
    const reason = new Error("the user went away");

    const error = (await rejectionOf(
      client.getSession({ key: KEY }, { signal: AbortSignal.abort(reason) }),
    )) as SessionServiceError;

    expect(error.code).toBe(Code.CANCELLED);
    expect(error.cause).toBe(reason);
    expect(server.calls).toHaveLength(0);
  });

  it("leaves a call alone when its signal is aborted after it finished", async () => {
    const server = await startFakeServer({ deleteSession: () => ({ existed: true }) });
    const client = connect(server.target);
    const controller = new AbortController();

    const response = await client.deleteSession({ key: KEY }, { signal: controller.signal });
    controller.abort();

    expect(response.existed).toBe(true);
  });
});

describe("metadata", () => {
  it("sends the client's metadata with every call, and a call's own on top", async () => {
    const server = await startFakeServer({ getSession: () => ({}), deleteSession: () => ({}) });
    const client = connect(server.target, {
      metadata: { authorization: "Bearer t0k3n", "x-tenant": "shop" },
    });

    await client.getSession({ key: KEY });
    await client.deleteSession({ key: KEY }, { metadata: { "x-tenant": "blog", "x-request-id": "r-1" } });
    await client.getSession({ key: KEY });

    const [first, second, third] = server.calls.map((call) => call.metadata);
    expect(first?.get("authorization")).toEqual(["Bearer t0k3n"]);
    expect(first?.get("x-tenant")).toEqual(["shop"]);
    expect(second?.get("authorization")).toEqual(["Bearer t0k3n"]);
    expect(second?.get("x-tenant")).toEqual(["blog"]);
    expect(second?.get("x-request-id")).toEqual(["r-1"]);
    // A call's metadata does not leak into the client's.
    expect(third?.get("x-tenant")).toEqual(["shop"]);
    expect(third?.get("x-request-id")).toEqual([]);
  });

  it("refuses invalid client metadata when the client is made", () => {
    expect(() => connect("127.0.0.1:1", { metadata: { "Not Valid": "x" } })).toThrow();
  });
});
