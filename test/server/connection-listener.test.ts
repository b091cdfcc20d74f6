import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type ConnectionListener, listenForConnections } from "../../src/server/connection-listener.js";
import { PREFACE_AND_SETTINGS } from "../support/raw-connections.js";

const HANDSHAKE_TIMEOUT_MS = 100;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A plaintext listener on a free port whose served connections are handed to `served`, and closed at the end. */
async function listener(served: (connection: Duplex) => void): Promise<ConnectionListener> {
  const made = await listenForConnections({
    host: "127.0.0.1",
    port: 0,
    maxConnections: 10,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    serve: served,
  });
  cleanups.push(() => {
    made.stopAccepting();
    made.destroyAll();
  });
  return made;
}

/** Blocks this thread (and its event loop) for `ms`: nothing runs meanwhile, timers included. */
function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("the handshake timeout after an event-loop stall", () => {
  it("serves a connection whose preface arrived in time, although its timer ran out before it was read", async () => {
    let handedOver: (() => void) | undefined;
    const served = new Promise<"served">((resolve) => {
      handedOver = () => resolve("served");
    });
    const made = await listener(() => handedOver?.());
    // The preface is written as soon as the client is connected, which happens no later than the server accepts
    // it (the client's side completes first on loopback).
    const client: Socket = connect({ port: made.port, host: "127.0.0.1" });
    cleanups.push(() => client.destroy());
    client.on("error", () => {});
    client.write(PREFACE_AND_SETTINGS);
    const closed = new Promise<"closed">((resolve) => client.once("close", () => resolve("closed")));
    // Checked right after each read of the sockets by the event loop, before its next timers: once the connection
    // is seen accepted here, its handshake timer runs, cannot have fired yet, and the preface, which the server
    // starts reading only at its next read of the sockets, is waiting in its receive buffer.
    while (made.open === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(client.connecting, "the client is connected").toBe(false);
    expect(client.writableLength, "the preface is sent").toBe(0);
    // The whole process stalls past the handshake timeout: the timer is due before the preface is read.
    stall(2 * HANDSHAKE_TIMEOUT_MS);
    expect(await Promise.race([served, closed])).toBe("served");
    expect(made.open).toBe(1);
  });

  it("still closes a connection that sent nothing", async () => {
    const made = await listener(() => {
      throw new Error("a connection without the preface must not be served");
    });
    const client = connect({ port: made.port, host: "127.0.0.1" });
    cleanups.push(() => client.destroy());
    client.on("error", () => {});
    await new Promise((resolve) => client.once("close", resolve));
    // The server's side closes in its own time (its 'close' event may follow the client's).
    await expect.poll(() => made.open).toBe(0);
  });
});
