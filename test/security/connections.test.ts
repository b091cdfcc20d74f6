import { connect } from "node:http2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { createSessionClient, type SessionClient } from "../../src/client/index.js";
import { openFileLimit, RESERVED_FILES } from "../../src/server/open-file-limit.js";
import {
  CONNECTIONS_EVICTED_MESSAGE,
  CONNECTIONS_REFUSED_MESSAGE,
  HANDSHAKE_TIMEOUT_MESSAGE,
  type RunningServer,
  startServer,
} from "../../src/server/server.js";
import { delta, scrape } from "../metrics/prometheus-text.js";
import { makeCertificates, type TestCertificates } from "../support/certificates.js";
import { type CapturedLog, captureLog } from "../support/log-capture.js";
import {
  type HeldConnection,
  holdConnections,
  PREFACE_AND_SETTINGS,
  release,
} from "../support/raw-connections.js";
import { healthWatch, rawClient } from "../support/raw-grpc.js";
import { useRedis } from "../support/redis-fixture.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";
import { TestClock } from "../support/store-fixture.js";

useRedis();

const servers: RunningServer[] = [];
const clients: { close(): void }[] = [];
const held: HeldConnection[] = [];
afterEach(() => release(held.splice(0)));
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(servers.map((server) => server.shutdown(0)));
});

/** A server with `settings` over the test defaults; its log captured when `log` is given. */
async function serve(
  settings: Record<string, unknown>,
  options: { log?: CapturedLog; clock?: () => number } = {},
): Promise<RunningServer> {
  const server = await startServer({
    config: serverConfig({ server: settings }),
    logger: options.log?.logger ?? testLogger(),
    clock: options.clock,
  });
  servers.push(server);
  return server;
}

/**
 * The shipped client on `server` with a connection of its own (grpc-js would otherwise share one between clients
 * with the same options, and a new client would not connect at all), failing fast (no retries: each call's own
 * outcome is under test).
 */
function clientOf(server: RunningServer, options: { tls?: { rootCerts: Buffer } } = {}): SessionClient {
  const client = createSessionClient(`${options.tls ? "localhost" : "127.0.0.1"}:${server.port}`, {
    retry: false,
    defaultTimeoutMs: 5_000,
    channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Whether a session can be made and read back through `client`. */
async function roundTrip(client: SessionClient): Promise<void> {
  const { session } = await client.createSession({ content: { case: "data", value: { n: 1 } } });
  expect((await client.getSession({ key: session?.key ?? "" })).session?.content).toEqual({
    case: "data",
    value: { n: 1 },
  });
}

/** Connections open on `server` now, as its metrics say. */
async function openConnections(server: RunningServer): Promise<number | undefined> {
  return (await scrape(server.metricsPort)).value("redisession_connections_open");
}

/** Holds connections, released after the test; see `holdConnections`. */
async function hold(...args: Parameters<typeof holdConnections>): Promise<HeldConnection[]> {
  const connections = await holdConnections(...args);
  held.push(...connections);
  return connections;
}

/** Resolves when every connection has ended (the server closed them), after marking each when it does. */
function whenEnded(connections: readonly HeldConnection[]): Promise<unknown> {
  return Promise.all(connections.map((connection) => connection.ended));
}

describe("connections that do not complete their handshake (server.handshakeTimeoutMs)", () => {
  it("closes those that never send the HTTP/2 preface, or only part of it; counts them and logs at a rate", async () => {
    const log = captureLog();
    const clock = new TestClock();
    const server = await serve({ handshakeTimeoutMs: 200 }, { log, clock: clock.now });
    const connected = clientOf(server);
    await roundTrip(connected);
    const before = await scrape(server.metricsPort);
    const silent = await hold(server.port, 10);
    const partial = await hold(server.port, 5, { send: "PRI * HTTP/2.0\r\n" });
    // The connected client is served while they are held and closed, and a new client once they are gone.
    await Promise.all([roundTrip(connected), whenEnded([...silent, ...partial])]);
    await roundTrip(clientOf(server));

    const after = await scrape(server.metricsPort);
    expect(delta(before, after, "redisession_connection_handshake_timeouts_total")).toBe(15);
    // One line for the first; the 14 others came within the interval and wait for the next line.
    const lines = () => log.records().filter((record) => record.msg === HANDSHAKE_TIMEOUT_MESSAGE);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 40, count: 1, intervalSeconds: 10, handshakeTimeoutMs: 200 }),
    ]);
    clock.advanceSeconds(10);
    await whenEnded(await hold(server.port, 1));
    expect(lines().map((line) => line.count)).toEqual([1, 15]);
  });

  it("closes at once a connection whose first bytes cannot start the preface (HTTP/1.1, TLS)", async () => {
    // A timeout longer than the test's: only an immediate close ends these.
    const server = await serve({ handshakeTimeoutMs: 120_000 });
    const http1 = await hold(server.port, 1, { send: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" });
    const tlsHello = await hold(server.port, 1, { send: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]) });
    await whenEnded([...http1, ...tlsHello]);
    // The preface and a SETTINGS frame are enough to be kept.
    const lazy = await hold(server.port, 1, { send: PREFACE_AND_SETTINGS });
    await roundTrip(clientOf(server));
    expect(await openConnections(server)).toBe(2);
    release(lazy);
  });
});

describe("server.maxConnections", () => {
  // Small enough to stay fast, and far below the open-file limits of test machines (both ends are here).
  const HELD = 200;

  it("holds connections up to the cap, refuses the next ones at once, and keeps serving its client", async () => {
    const log = captureLog();
    const clock = new TestClock();
    const server = await serve({ maxConnections: HELD + 1 }, { log, clock: clock.now });
    const before = await scrape(server.metricsPort);
    const client = clientOf(server);
    await roundTrip(client);
    // Past their handshake (the preface and SETTINGS sent), then silent: nothing to make room from.
    const lazy = await hold(server.port, HELD, { send: PREFACE_AND_SETTINGS });
    let endedEarly = 0;
    for (const connection of lazy) void connection.ended.then(() => endedEarly++);
    await expect.poll(() => openConnections(server)).toBe(HELD + 1);

    // Beyond the cap, connections are closed as soon as they are accepted.
    const refused = await hold(server.port, 5);
    await whenEnded(refused);
    // Meanwhile the connected client is served, and the held connections are still there.
    await roundTrip(client);
    expect(endedEarly).toBe(0);
    expect(await openConnections(server)).toBe(HELD + 1);

    const lines = () => log.records().filter((record) => record.msg === CONNECTIONS_REFUSED_MESSAGE);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 40, count: 1, intervalSeconds: 10, maxConnections: HELD + 1 }),
    ]);
    clock.advanceSeconds(10);
    await whenEnded(await hold(server.port, 1));
    expect(lines().map((line) => line.count)).toEqual([1, 5]);
    const after = await scrape(server.metricsPort);
    expect(delta(before, after, "redisession_connections_refused_total")).toBe(6);
    expect(delta(before, after, "redisession_connections_evicted_total")).toBe(0);

    // Once the held connections go, a new client gets in: a connection of its own beside the first client's.
    release(lazy);
    await expect.poll(() => openConnections(server)).toBe(1);
    await roundTrip(clientOf(server));
    expect(await openConnections(server)).toBe(2);
  });

  it("makes room for a new client by closing the oldest connection still waiting for its preface", async () => {
    const log = captureLog();
    // The handshake timeout outlasts the test: only making room closes the silent connections.
    const server = await serve({ maxConnections: HELD, handshakeTimeoutMs: 120_000 }, { log });
    const before = await scrape(server.metricsPort);
    const silent = await hold(server.port, HELD);
    await expect.poll(() => openConnections(server)).toBe(HELD);
    const endedOnes = new Set<number>();
    silent.forEach((connection, index) => void connection.ended.then(() => endedOnes.add(index)));

    // A new client connects while the cap is full of connections that never send the preface: it is served, and
    // the oldest of them is closed for it, only that one.
    const client = clientOf(server);
    await roundTrip(client);
    await silent[0]?.ended;
    expect([...endedOnes]).toEqual([0]);
    expect(await openConnections(server)).toBe(HELD);
    const after = await scrape(server.metricsPort);
    expect(delta(before, after, "redisession_connections_evicted_total")).toBe(1);
    expect(delta(before, after, "redisession_connections_refused_total")).toBe(0);
    expect(log.records().filter((record) => record.msg === CONNECTIONS_EVICTED_MESSAGE)).toEqual([
      expect.objectContaining({ level: 40, count: 1, maxConnections: HELD }),
    ]);
  });
});

describe("server.maxConnections and the open-file limit", () => {
  it("warns at start-up when the cap leaves too few of the process's open files for the rest", async () => {
    const limit = openFileLimit();
    expect(limit, "the tests run on Linux, where /proc/self/limits tells").toBeTypeOf("number");
    const log = captureLog();
    await serve({ maxConnections: limit ?? 0 }, { log });
    const quiet = captureLog();
    await serve({ maxConnections: (limit ?? 0) - RESERVED_FILES }, { log: quiet });
    const warnings = (captured: CapturedLog) =>
      captured.records().filter((record) => String(record.msg).startsWith("server.maxConnections"));
    expect(warnings(log)).toEqual([expect.objectContaining({ level: 40 })]);
    expect(warnings(quiet)).toEqual([]);
  });
});

describe("idle connections (server.maxConnectionIdleMs)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await serve({ maxConnectionIdleMs: 200, handshakeTimeoutMs: 200 });
  });

  it("are closed with GOAWAY after the idle time; the client reconnects for its next call", async () => {
    const session = connect(`http://127.0.0.1:${server.port}`);
    session.on("error", () => {});
    const goaway = new Promise<number>((resolve) => session.once("goaway", resolve));
    const closed = new Promise((resolve) => session.once("close", resolve));
    // A client calling meanwhile is served.
    const client = clientOf(server);
    await Promise.all([roundTrip(client), closed]);
    expect(await goaway).toBe(0);

    // Its connection is closed once idle too, and the next call makes a new one.
    await expect.poll(() => openConnections(server), { timeout: 10_000 }).toBe(0);
    await roundTrip(client);
  });

  it("cuts off a client that never closes its side after the server closed the connection", async () => {
    const [lazy] = await hold(server.port, 1, { send: PREFACE_AND_SETTINGS, allowHalfOpen: true });
    await lazy?.ended;
    // The server's FIN came with the GOAWAY; the client keeps its side open, and the server lets it go anyway,
    // while serving a client that calls meanwhile (whose own connection, idle in its turn, goes too).
    await Promise.all([
      roundTrip(clientOf(server)),
      expect.poll(() => openConnections(server), { timeout: 10_000 }).toBe(0),
    ]);
  });

  it("leaves a connection with a Watch stream open: it is not idle", async () => {
    const raw = rawClient(`127.0.0.1:${server.port}`);
    try {
      const watch = healthWatch(raw);
      await expect.poll(() => watch.statuses).toEqual([Serving.SERVING]);
      // An idle connection opened after the Watch's is closed...
      const [idle] = await hold(server.port, 1, { send: PREFACE_AND_SETTINGS });
      await idle?.ended;
      // ...while the Watch's lives on.
      expect(watch.ended).toBe(false);
      await expect.poll(() => openConnections(server)).toBe(1);
      expect(watch.ended).toBe(false);
      watch.cancel();
    } finally {
      raw.close();
    }
  });
});

describe("with TLS", () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeCertificates();
  });
  afterAll(() => certs.remove());

  it("closes connections that never start TLS, and TLS connections that never send the preface", async () => {
    const server = await serve({
      tls: { certFile: certs.server.certFile, keyFile: certs.server.keyFile },
      handshakeTimeoutMs: 300,
    });
    const before = await scrape(server.metricsPort);
    const silent = await hold(server.port, 3);
    const tlsOnly = await hold(server.port, 3, { tls: { ca: certs.ca.cert } });
    await whenEnded([...silent, ...tlsOnly]);
    const after = await scrape(server.metricsPort);
    expect(delta(before, after, "redisession_connection_handshake_timeouts_total")).toBe(6);
    await roundTrip(clientOf(server, { tls: { rootCerts: certs.ca.cert } }));
  });
});
