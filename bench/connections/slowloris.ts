/**
 * The slowloris: 20 connections x 200 GetSession streams, each announcing a 100-byte request and sending one
 * byte every 5 s, never ending. Before the request deadline interceptor all 4,000 streams were still open after
 * 45 s with `server.requestTimeoutMs` at 10 s. Measured: how and when each stream ended (from the client's first
 * byte, its HEADERS), and a normal client's calls meanwhile. `quick` scales time down (requestTimeoutMs 2 s, a byte
 * every second).
 */

import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { methodPath } from "../../src/rpc/method-definitions.js";
import { mib } from "../soak/process-memory.js";
import type { Table } from "../support/table.js";
import { observedService } from "./observed-service.js";
import { callsWhile, lifetimes, percentile, slowStreams } from "./raw-peers.js";
import { type ScenarioResult, seconds, within } from "./scenario.js";

const CONNECTIONS = 20;
const STREAMS_PER_CONNECTION = 200;

/** Runs the scenario against a new service on `redisUrl`. */
export async function slowloris(redisUrl: string, quick: boolean): Promise<ScenarioResult> {
  // server.requestTimeoutMs's default, and the trickle; scaled down by 5 when quick.
  const requestTimeoutMs = quick ? 2_000 : 10_000;
  const everyMs = quick ? 1_000 : 5_000;
  const service = await observedService(redisUrl, quick ? [`  requestTimeoutMs: ${requestTimeoutMs}`] : []);
  const total = CONNECTIONS * STREAMS_PER_CONNECTION;
  let slow: ReturnType<typeof slowStreams> | undefined;
  try {
    const client = service.client({ retry: false });
    const key = (await client.createSession({})).session?.key ?? "";
    const rssIdle = service.residentBytes();
    slow = slowStreams(
      service.port,
      methodPath(SessionService.method.getSession),
      CONNECTIONS,
      STREAMS_PER_CONNECTION,
      everyMs,
    );
    const { streams } = slow;
    const allEnded = within(Promise.all(streams.map((stream) => stream.ended)), 4 * requestTimeoutMs);
    const meanwhile = callsWhile(client, key, allEnded);
    // Halfway: every stream is open and trickling.
    await new Promise((resolve) => setTimeout(resolve, requestTimeoutMs / 2));
    const openHalfway = streams.filter((stream) => stream.endedAt === undefined).length;
    const rssHalfway = service.residentBytes();
    await allEnded;
    const calls = await meanwhile;

    const lives = lifetimes(streams);
    const byStatus: Record<string, number> = {};
    for (const stream of streams) {
      const label = `grpc-status ${stream.grpcStatus}, RST_STREAM ${stream.rstCode ?? "-"}`;
      byStatus[label] = (byStatus[label] ?? 0) + 1;
    }
    const maxMs = lives.at(-1) ?? Number.NaN;
    const figures = {
      requestTimeoutMs,
      byteEveryMs: everyMs,
      streams: total,
      openHalfway,
      ended: lives.length,
      endedWith: byStatus,
      lifetimeMs: { min: lives[0], p50: percentile(lives, 50), max: maxMs },
      residentMiB: { idle: Number(mib(rssIdle)), halfway: Number(mib(rssHalfway)) },
      normalClient: {
        calls: calls.latenciesMs.length,
        failures: calls.failures,
        p50Ms: percentile(calls.latenciesMs, 50),
        p99Ms: percentile(calls.latenciesMs, 99),
      },
    };
    const table: Table = {
      title: `Slowloris: ${CONNECTIONS} connections x ${STREAMS_PER_CONNECTION} streams, a byte every ${seconds(everyMs)} s, requestTimeoutMs ${requestTimeoutMs}`,
      header: ["measure", "value"],
      rows: [
        ["streams open halfway through requestTimeoutMs", `${openHalfway} of ${total}`],
        ["streams ended by the server", `${lives.length} of ${total}`],
        ["ended with", JSON.stringify(byStatus)],
        [
          "lifetime from HEADERS, min / p50 / max (s)",
          `${seconds(lives[0] ?? Number.NaN)} / ${seconds(percentile(lives, 50))} / ${seconds(maxMs)}`,
        ],
        ["service RSS idle / halfway (MiB)", `${mib(rssIdle)} / ${mib(rssHalfway)}`],
        [
          "normal client meanwhile: calls, failures, p50 / p99 (ms)",
          `${calls.latenciesMs.length}, ${JSON.stringify(calls.failures)}, ${percentile(calls.latenciesMs, 50).toFixed(1)} / ${percentile(calls.latenciesMs, 99).toFixed(1)}`,
        ],
      ],
    };
    const failures = Object.values(calls.failures).reduce((a, b) => a + b, 0);
    return {
      table,
      figures,
      targets: [
        {
          name: "slowloris: streams ended by the server",
          target: `${total}`,
          measured: String(lives.length),
          met: lives.length === total,
        },
        {
          name: "slowloris: longest stream from its HEADERS (s)",
          // A loaded loopback adds a little to the timer; a second is far below the trickle's pace.
          target: `≤ ${seconds(requestTimeoutMs + 1_000)}`,
          measured: seconds(maxMs),
          met: maxMs <= requestTimeoutMs + 1_000,
        },
        {
          name: "slowloris: normal client's calls failed",
          target: "0",
          measured: String(failures),
          met: failures === 0 && calls.latenciesMs.length > 0,
        },
      ],
    };
  } finally {
    for (const session of slow?.sessions ?? []) session.destroy();
    await service.stop();
  }
}
