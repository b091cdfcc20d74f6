import { connect, constants } from "node:http2";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodPath } from "../../src/rpc/method-definitions.js";
import {
  cancelFrame,
  grpcRequestHeaders,
  headersFrame,
  RawH2Connection,
} from "../support/raw-h2-connection.js";
import { useServer } from "../support/server-fixture.js";
import { serverSideStates } from "../support/tcp-sockets.js";

// Rapid reset (CVE-2023-44487): Node's HTTP/2 layer answers a flood of RST_STREAM with GOAWAY, then stops reading
// the connection without closing it. These tests hold their side of each connection open and wait for the server
// to close it: a server that keeps it (the bug) never does, and the test times out.
const served = useServer();

const GET_SESSION = grpcRequestHeaders(methodPath(SessionService.method.getSession));

/** More streams than any reset budget lets through: past this, the server has no guard at all. */
const MAX_STREAMS = 200_000;

/** Opens and cancels streams, 100 at a time, until the server sends GOAWAY; returns how many. */
async function resetUntilGoaway(connection: RawH2Connection): Promise<number> {
  let streams = 0;
  while (!connection.goneAway && streams < MAX_STREAMS) {
    const burst: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const id = 2 * streams + 1;
      burst.push(headersFrame(id, GET_SESSION), cancelFrame(id));
      streams++;
    }
    await connection.send(Buffer.concat(burst));
    // Lets the GOAWAY in.
    await nextTurn();
  }
  return streams;
}

/** A normal client's round trips: each creates a session and reads it back. */
async function normalCalls(count: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < count; i++) {
    const { session } = await served.client.createSession({ content: { case: "data", value: { i } } });
    const read = await served.client.getSession({ key: session?.key ?? "" });
    expect(read.session?.content).toEqual({ case: "data", value: { i } });
    done++;
  }
  return done;
}

describe("rapid reset", () => {
  it("closes every connection it ends with GOAWAY, round after round, and serves a normal client meanwhile and after", async () => {
    const rounds = 5;
    const attack = (async () => {
      for (let round = 0; round < rounds; round++) {
        const connection = await RawH2Connection.open(served.server.port);
        try {
          const streams = await resetUntilGoaway(connection);
          expect(connection.goneAway, `no GOAWAY after ${streams} reset streams`).toBe(true);
          // The server, not this side, closes the connection it gave up on.
          await connection.closedByServer;
        } finally {
          connection.destroy();
        }
      }
    })();
    const [, calls] = await Promise.all([attack, normalCalls(20)]);
    expect(calls).toBe(20);
    expect(await normalCalls(5)).toBe(5);
  });

  it("closes a connection ended by resets of a stream that is already closed, which Node reports nowhere", async () => {
    const connection = await RawH2Connection.open(served.server.port);
    try {
      // One stream, cancelled; then the same RST_STREAM again and again. Node's HTTP/2 layer counts each of them
      // toward its guard but tells the application of none.
      const frames = [headersFrame(1, GET_SESSION), cancelFrame(1)];
      for (let i = 0; i < 1_500; i++) frames.push(cancelFrame(1));
      await connection.send(Buffer.concat(frames));
      await connection.goaway;
      await connection.closedByServer;
    } finally {
      connection.destroy();
    }
    expect(await normalCalls(3)).toBe(3);
  });

  it("closes its side of connections a node:http2 client left after the GOAWAY (none stays in CLOSE_WAIT)", async () => {
    const port = served.server.port;
    const path = methodPath(SessionService.method.getSession);
    const headers = { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" };
    /** One connection: streams opened and cancelled until the server ends it; this side then closes it. */
    const resetUntilGoaway = async () => {
      const session = connect(`http://127.0.0.1:${port}`);
      session.on("error", () => {});
      let ended = false;
      session.once("goaway", () => {
        ended = true;
      });
      session.once("close", () => {
        ended = true;
      });
      let streams = 0;
      while (!ended && streams < MAX_STREAMS) {
        for (let i = 0; i < 100 && !ended; i++, streams++) {
          const stream = session.request(headers, { endStream: false });
          stream.on("error", () => {});
          stream.close(constants.NGHTTP2_CANCEL);
        }
        await nextTurn();
      }
      expect(ended, `not ended after ${streams} reset streams`).toBe(true);
      session.destroy();
    };
    const rounds = 5;
    const attack = (async () => {
      for (let round = 0; round < rounds; round++) await resetUntilGoaway();
    })();
    const [, calls] = await Promise.all([attack, normalCalls(10)]);
    expect(calls).toBe(10);
    // Every client left; the server has seen none of them go (it stopped reading), so only its own close ends its
    // side. The normal client's connection stays ESTABLISHED.
    await expect
      .poll(() => serverSideStates(port).filter((state) => state === "CLOSE_WAIT"), { timeout: 15_000 })
      .toEqual([]);
    expect(await normalCalls(3)).toBe(3);
  });
});
