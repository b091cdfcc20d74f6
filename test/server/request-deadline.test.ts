import {
  type Client,
  type Deadline,
  Metadata,
  Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineExceededError } from "../../src/server/call-errors.js";
import { requestDeadlineInterceptor } from "../../src/server/request-deadline.js";
import { bindLoopback } from "../support/bind-loopback.js";
import { rawClient } from "../support/raw-grpc.js";

/**
 * The interceptor on a bare grpc-js server whose handlers answer the deadline they see (`getDeadline`), with a
 * clock the test sets: what the session handlers' bridge reads to end a call (service-impl.ts).
 */
const TIMEOUT_MS = 10_000;
/** The interceptor's clock: calls "arrive" at this time, an hour from now, whatever the real one. */
const ARRIVAL = Date.now() + 3_600_000;
const identity = (bytes: Buffer) => bytes;
/** A deadline as text: its epoch milliseconds, or "Infinity". */
const shown = (deadline: Deadline) => String(deadline instanceof Date ? deadline.getTime() : deadline);

let server: Server;
let client: Client;
beforeAll(async () => {
  server = new Server({
    interceptors: [
      requestDeadlineInterceptor({
        timeoutMs: TIMEOUT_MS,
        toStatus: (error) => ({
          code: error instanceof DeadlineExceededError ? status.DEADLINE_EXCEEDED : status.INTERNAL,
          details: String(error),
          metadata: new Metadata(),
        }),
        clock: () => ARRIVAL,
      }),
    ],
  });
  server.register(
    "/test.Deadlines/Unary",
    (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
      callback(null, Buffer.from(shown(call.getDeadline()))),
    identity,
    identity,
    "unary",
  );
  server.register(
    "/test.Deadlines/Stream",
    (call: ServerWritableStream<Buffer, Buffer>) => {
      call.write(Buffer.from(shown(call.getDeadline())));
      call.end();
    },
    identity,
    identity,
    "serverStream",
  );
  const port = await bindLoopback(server);
  client = rawClient(`127.0.0.1:${port}`);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

/** The deadline a unary handler sees for a call with the client deadline `deadline` (none by default). */
function unaryDeadline(deadline: Deadline = Number.POSITIVE_INFINITY): Promise<string> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      "/test.Deadlines/Unary",
      identity,
      identity,
      Buffer.alloc(0),
      new Metadata(),
      { deadline },
      (error, answer) => (error ? reject(error) : resolve(String(answer))),
    ),
  );
}

describe("requestDeadlineInterceptor", () => {
  it("gives a unary handler requestTimeoutMs from the call's arrival as its deadline, when the client set none", async () => {
    expect(await unaryDeadline()).toBe(String(ARRIVAL + TIMEOUT_MS));
  });

  it("keeps a client deadline that comes earlier, and caps one that comes later", async () => {
    // Client deadlines are real times, and the interceptor's clock says the call arrived an hour from now: a
    // deadline a minute from now comes before ARRIVAL + TIMEOUT_MS, one two hours from now after it.
    const soon = Date.now() + 60_000;
    const seen = Number(await unaryDeadline(soon));
    // grpc-timeout carries the time left, so the server's deadline is the client's, give or take the transit.
    expect(Math.abs(seen - soon)).toBeLessThan(60_000);
    expect(seen).toBeLessThan(ARRIVAL);
    expect(await unaryDeadline(Date.now() + 7_200_000)).toBe(String(ARRIVAL + TIMEOUT_MS));
  });

  it("leaves a server-streaming handler the client's deadline (a Watch outlives the request timeout)", async () => {
    const call = client.makeServerStreamRequest(
      "/test.Deadlines/Stream",
      identity,
      identity,
      Buffer.alloc(0),
      new Metadata(),
      {},
    );
    const [answer] = await Promise.all([
      new Promise<string>((resolve) => call.once("data", (chunk: Buffer) => resolve(String(chunk)))),
      new Promise((resolve) => call.on("end", resolve)),
    ]);
    expect(answer).toBe("Infinity");
  });
});
