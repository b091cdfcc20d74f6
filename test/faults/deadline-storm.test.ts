import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RedisServer, startRedisServer } from "../../src/cli/redis-server-process.js";
import { createSessionClient, type SessionClient, SessionServiceError } from "../../src/client/index.js";
import { type RunningServer, startServer } from "../../src/server/server.js";
import { parseExposition } from "../metrics/prometheus-text.js";
import { names, type RedisInterposer, stallCommands, startInterposer } from "../support/redis-interposer.js";
import { serverConfig, testLogger } from "../support/server-fixture.js";

/**
 * Calls outliving their deadlines by the thousand, as in a Redis stall under steady traffic. Every call a client
 * gives up on itself is an HTTP/2 RST_STREAM, and Node's HTTP/2 layer (nghttp2's rapid-reset guard: a burst of
 * 1,000 resets, then about 33 a second) answers more with GOAWAY INTERNAL_ERROR, failing every call on the
 * connection with INTERNAL. So the server gives up a little before the client does and answers each call with
 * DEADLINE_EXCEEDED itself: no reset is needed.
 *
 * Whether the server answers first is a matter of order, not of speed, so the test runs on a fake clock (`Date`
 * and timers, of the client and the server alike: both live in this process) and moves it itself: first to just
 * before the clients' deadline, where only the server may act, then past it. No machine is too slow for that.
 * Redis stays stalled (a relay holds every command) until the test lets it answer.
 */

/** More late calls than the guard's burst of 1,000: were each of them reset, the connection would be torn down. */
const CALLS = 1_500;
/** The storm's deadline, on the fake clock. */
const DEADLINE_MS = 1_000;
/** A call that outlives the storm on the same connection (on the fake clock; the server caps it at 10 s). */
const WITNESS_TIMEOUT_MS = 60_000;
/** What the client's own timer says when it gives up (and resets the stream). */
const CLIENT_GAVE_UP = /^Deadline exceeded after/;
const GET_SESSION = { rpc: "redisession.v1.SessionService/GetSession", code: "DEADLINE_EXCEEDED" };

let redis: RedisServer;
let interposer: RedisInterposer;
let server: RunningServer;
let client: SessionClient;

beforeAll(async () => {
  redis = await startRedisServer();
  interposer = await startInterposer(redis.port);
  server = await startServer({
    // Every call of the storm is on the server at once. (Beyond maxConcurrentStreams a call waits in the client
    // for a free stream and then leaves with the grpc-timeout it had when it was made, so the server, counting
    // from the call's arrival, gives up after the client: a backlog the server's lead cannot cover.)
    config: serverConfig({ redisUrl: interposer.url, server: { maxConcurrentStreams: CALLS + 10 } }),
    logger: testLogger(),
  });
  client = createSessionClient(`127.0.0.1:${server.port}`, { defaultTimeoutMs: 5_000, retry: false });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown(0);
  await interposer?.close();
  await redis?.stop();
});

/** How a call ended: `OK`, or its status name and details (the details tell who gave up). */
function outcomeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "OK",
    (error: unknown) => {
      if (!(error instanceof SessionServiceError)) throw error;
      return `${status[error.code]}: ${error.details}`;
    },
  );
}

/** How many times each line occurs: a short diff when many calls fail alike. */
function tally(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line] = (counts[line] ?? 0) + 1;
  return counts;
}

/** Resolves once `n` of `calls` have settled (at once for n = 0). */
function settled(calls: readonly Promise<unknown>[], n: number): Promise<void> {
  let count = 0;
  return new Promise((resolve) => {
    if (n <= 0) resolve();
    for (const call of calls)
      void call.finally(() => {
        count += 1;
        if (count >= n) resolve();
      });
  });
}

/** GetSession calls the server has ended DEADLINE_EXCEEDED so far (its own count, as exported to Prometheus). */
async function deadlineAnswers(): Promise<number> {
  const text = (await server.metrics?.registry.getSingleMetricAsString("redisession_rpc_calls_total")) ?? "";
  const sample = parseExposition(text).samples.find(
    ({ labels }) => labels.rpc === GET_SESSION.rpc && labels.code === GET_SESSION.code,
  );
  return sample?.value ?? 0;
}

describe("a Redis stall under a storm of deadlines", () => {
  it("has the server answer every late call DEADLINE_EXCEEDED before the client gives up; the connection survives", async () => {
    const store = "strings";
    const { session } = await client.createSession({ store, content: { case: "data", value: { n: 1 } } });
    const key = session?.key ?? "";
    const keyBytes = Buffer.from(key, "hex");
    const stall = stallCommands(interposer, (command) => names(command, keyBytes));
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let facts: Record<string, unknown>;
    try {
      const witness = outcomeOf(client.getSession({ store, key }, { timeoutMs: WITNESS_TIMEOUT_MS }));
      const calls = Array.from({ length: CALLS }, () =>
        outcomeOf(client.getSession({ store, key }, { timeoutMs: DEADLINE_MS })),
      );
      // The clock has not moved: each call's deadline is as far away for the server as for its client.
      await stall.sent(CALLS + 1);
      const before = await deadlineAnswers();
      // One millisecond before the clients' timers fire: whatever ends a call by now, the server did.
      vi.advanceTimersByTime(DEADLINE_MS - 1);
      const answeredByServer = (await deadlineAnswers()) - before;
      // Those answers reach the clients (no time passes meanwhile); then the clients' deadline comes, and every
      // call still open is reset by its client, as it would be without the server's lead.
      await settled(calls, answeredByServer);
      vi.advanceTimersByTime(DEADLINE_MS);
      const outcomes = await Promise.all(calls);
      stall.release();
      facts = {
        answeredByServer,
        gaveUpByClient: outcomes.filter((line) => CLIENT_GAVE_UP.test(line.replace(/^\w+: /, ""))).length,
        // Nothing but DEADLINE_EXCEEDED: no INTERNAL from a connection torn down.
        otherThanDeadline: tally(outcomes.filter((line) => !line.startsWith("DEADLINE_EXCEEDED: "))),
        // In flight on the same connection all along: a GOAWAY would have failed it.
        witness: await witness,
      };
    } finally {
      stall.release();
      vi.useRealTimers();
    }
    expect(facts).toEqual({
      answeredByServer: CALLS,
      gaveUpByClient: 0,
      otherThanDeadline: {},
      witness: "OK",
    });
    // The same client serves once Redis answers again.
    expect((await client.getSession({ store, key })).session?.content).toEqual({
      case: "data",
      value: { n: 1 },
    });
  });
});
