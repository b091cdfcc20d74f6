import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, isSessionServiceError, SessionServiceError } from "../../src/client/index.js";
import { connect, deadTarget, rejectionOf, StatusError, startFakeServer } from "./fake-session-server.js";

const KEY = "0123456789abcdef0123456789abcdef";

describe("a failed call rejects with SessionServiceError", () => {
  it.each([
    [Code.NOT_FOUND, "no live session"],
    [Code.ABORTED, "another writer won"],
    [Code.INVALID_ARGUMENT, "key must be 32 lowercase hex characters"],
    [Code.ALREADY_EXISTS, "a session exists under this key"],
    [Code.RESOURCE_EXHAUSTED, "session data is over the store's limit"],
    [Code.DATA_LOSS, "stored value cannot be decoded"],
    [Code.INTERNAL, "internal error"],
    [Code.FAILED_PRECONDITION, "something else"],
  ])("carries the server's code %s and its details", async (code, details) => {
    const server = await startFakeServer({
      saveSession: () => {
        throw new StatusError(code, details);
      },
    });
    const client = connect(server.target);

    const error = await rejectionOf(client.saveSession({ key: KEY }));

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(isSessionServiceError(error)).toBe(true);
    const serviceError = error as SessionServiceError;
    expect(serviceError.code).toBe(code);
    expect(serviceError.details).toBe(details);
    expect(serviceError.name).toBe("SessionServiceError");
    expect(serviceError.message).toBe(`${Code[code]}: ${details}`);
  });

  it("keeps the server's trailers as metadata", async () => {
    const trailers = new Metadata();
    trailers.set("x-conflict-version", "4");
    const server = await startFakeServer({
      saveSession: () => {
        throw new StatusError(Code.ABORTED, "version is 4", trailers);
      },
    });
    const client = connect(server.target);

    const error = (await rejectionOf(client.saveSession({ key: KEY }))) as SessionServiceError;

    expect(error.metadata).toBeInstanceOf(Metadata);
    expect(error.metadata?.get("x-conflict-version")).toEqual(["4"]);
  });

  it("lets callers switch on the code", async () => {
    const server = await startFakeServer({
      getSession: () => {
        throw new StatusError(Code.NOT_FOUND, "no live session");
      },
    });
    const client = connect(server.target);

    const outcome = await client.getSession({ key: KEY }).then(
      () => "found",
      (error: unknown) => {
        if (!(error instanceof SessionServiceError)) {
          return "unexpected";
        }
        switch (error.code) {
          case Code.NOT_FOUND:
            return "log in again";
          default:
            return "other";
        }
      },
    );

    expect(outcome).toBe("log in again");
  });

  it("fails at once with UNAVAILABLE when no server listens, instead of waiting for the deadline", async () => {
    const client = connect(await deadTarget(), { defaultTimeoutMs: 20_000 });

    const error = (await rejectionOf(client.createSession({}))) as SessionServiceError;

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(error.code).toBe(Code.UNAVAILABLE);
  });

  it("answers INVALID_ARGUMENT, sending nothing, for call options grpc-js cannot take", async () => {
    const server = await startFakeServer({ deleteSession: () => ({ existed: true }) });
    const client = connect(server.target);

    const badKey = (await rejectionOf(
      client.deleteSession({ key: KEY }, { metadata: { "not a header": "x" } }),
    )) as SessionServiceError;
    const badBinary = (await rejectionOf(
      client.deleteSession({ key: KEY }, { metadata: { "trace-bin": "text" } }),
    )) as SessionServiceError;
    const badTimeout = (await rejectionOf(
      client.deleteSession({ key: KEY }, { timeoutMs: -1 }),
    )) as SessionServiceError;

    for (const error of [badKey, badBinary, badTimeout]) {
      expect(error).toBeInstanceOf(SessionServiceError);
      expect(error.code).toBe(Code.INVALID_ARGUMENT);
    }
    expect(server.calls).toHaveLength(0);
  });
});

describe("close()", () => {
  it("makes later calls fail with CANCELLED without reaching the server", async () => {
    const server = await startFakeServer({ getSession: () => ({}) });
    const client = connect(server.target);
    await client.getSession({ key: KEY });

    client.close();
    const error = (await rejectionOf(client.getSession({ key: KEY }))) as SessionServiceError;

    expect(error).toBeInstanceOf(SessionServiceError);
    expect(error.code).toBe(Code.CANCELLED);
    expect(server.count("getSession")).toBe(1);
  });

  it("lets a call the server is already handling finish", async () => {
    let arrived = () => {};
    const handling = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let closed = () => {};
    const clientClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = await startFakeServer({
      // Answers only once the client is closed: the call is in the server's hands all along.
      getSession: async () => {
        arrived();
        await clientClosed;
        return { session: { key: KEY } };
      },
    });
    const client = connect(server.target);

    const call = client.getSession({ key: KEY });
    await handling;
    client.close();
    closed();

    await expect(call).resolves.toMatchObject({ session: { key: KEY } });
  });

  it("may be called more than once", async () => {
    const server = await startFakeServer({});
    const client = connect(server.target);

    client.close();
    client.close();

    await expect(client.deleteSession({ key: KEY })).rejects.toMatchObject({ code: Code.CANCELLED });
  });
});
