/**
 * The file-limit scenario: a default service under `ulimit -n 1024` gets 1,001 connections that never send
 * the HTTP/2 preface. Before server.maxConnections and server.handshakeTimeoutMs a normal client then failed
 * UNAVAILABLE (no file left to accept it, or to talk to Redis). Measured: what the flood got (closed to make room
 * at the cap, or by the handshake timeout, and when), the service's open files, what a connected client and new
 * ones saw meanwhile, and the rate-limited log lines.
 */
import { performance } from "node:perf_hooks";
import {
  CONNECTIONS_EVICTED_MESSAGE,
  CONNECTIONS_REFUSED_MESSAGE,
  HANDSHAKE_TIMEOUT_MESSAGE,
} from "../../src/server/server.js";
import { mib } from "../soak/process-memory.js";
import type { Table } from "../support/table.js";
import { observedService } from "./observed-service.js";
import { callsWhile, lifetimes, percentile, type TcpPeer, tcpPeers } from "./raw-peers.js";
import { outcome, type ScenarioResult, seconds, within } from "./scenario.js";

const OPEN_FILES = 1024;
const FLOOD = 1001;
/** server.handshakeTimeoutMs's default. */
const HANDSHAKE_TIMEOUT_MS = 5_000;

/** Runs the scenario against a new service on `redisUrl`. */
export async function prefaceFlood(redisUrl: string): Promise<ScenarioResult> {
  const service = await observedService(redisUrl, [], OPEN_FILES);
  let flood: TcpPeer[] = [];
  try {
    const connected = service.client({ retry: false });
    const key = (await connected.createSession({})).session?.key ?? "";
    const filesIdle = service.openFiles();

    const floodStarted = performance.now();
    flood = await tcpPeers(service.port, FLOOD);
    const floodOpened = performance.now() - floodStarted;
    const allEnded = within(Promise.all(flood.map((peer) => peer.ended)), 6 * HANDSHAKE_TIMEOUT_MS);
    // The connected client calls throughout; a new client (retries on, as shipped) and a new one without retries
    // try once each while the flood is held.
    const meanwhile = callsWhile(connected, key, allEnded);
    const filesDuring = service.openFiles();
    const openDuring = await service.metric("redisession_connections_open");
    const rssDuring = service.residentBytes();
    const [newWithRetries, newWithoutRetries] = await Promise.all([
      outcome(service.client({ defaultTimeoutMs: 10_000 }).getSession({ key })),
      outcome(service.client({ retry: false }).getSession({ key })),
    ]);
    const ended = (await allEnded) !== "timed out";
    const calls = await meanwhile;
    const newAfter = await outcome(service.client({ retry: false }).getSession({ key }));

    const lives = lifetimes(flood);
    const atOnce = lives.filter((ms) => ms < HANDSHAKE_TIMEOUT_MS / 2);
    const byTimeout = lives.filter((ms) => ms >= HANDSHAKE_TIMEOUT_MS / 2);
    const refusedTotal = await service.metric("redisession_connections_refused_total");
    const evictedTotal = await service.metric("redisession_connections_evicted_total");
    const timeoutsTotal = await service.metric("redisession_connection_handshake_timeouts_total");
    const refusalLines = service.logLines(CONNECTIONS_REFUSED_MESSAGE).map((line) => line.count);
    const evictionLines = service.logLines(CONNECTIONS_EVICTED_MESSAGE).map((line) => line.count);
    const timeoutLines = service.logLines(HANDSHAKE_TIMEOUT_MESSAGE).map((line) => line.count);
    const figures = {
      openFilesLimit: OPEN_FILES,
      flood: FLOOD,
      floodOpenedMs: floodOpened,
      openFilesIdle: filesIdle,
      openFilesDuring: filesDuring,
      connectionsOpenDuring: openDuring,
      residentMiBDuring: Number(mib(rssDuring)),
      closedAtOnce: atOnce.length,
      closedByHandshakeTimeout: byTimeout.length,
      stillOpen: FLOOD - lives.length,
      handshakeTimeoutLifetimeMs: {
        min: byTimeout[0],
        p50: percentile(byTimeout, 50),
        max: byTimeout.at(-1),
      },
      refusedTotal,
      evictedTotal,
      timeoutsTotal,
      refusalLogLineCounts: refusalLines,
      evictionLogLineCounts: evictionLines,
      timeoutLogLineCounts: timeoutLines,
      connectedClient: {
        calls: calls.latenciesMs.length,
        failures: calls.failures,
        p50Ms: percentile(calls.latenciesMs, 50),
        p99Ms: percentile(calls.latenciesMs, 99),
      },
      newClientDuringWithRetries: newWithRetries,
      newClientDuringWithoutRetries: newWithoutRetries,
      newClientAfter: newAfter,
    };
    const table: Table = {
      title: `${FLOOD} connections without the HTTP/2 preface, service under ulimit -n ${OPEN_FILES} (defaults)`,
      header: ["measure", "value"],
      rows: [
        ["flood opened in (s)", seconds(floodOpened)],
        ["service open files: idle / during the flood", `${filesIdle} / ${filesDuring}`],
        ["connections open during (metric)", openDuring],
        ["service RSS during (MiB)", mib(rssDuring)],
        [
          "closed early (maxConnections: metrics evicted / refused)",
          `${atOnce.length} (${evictedTotal} / ${refusedTotal})`,
        ],
        ["closed by handshakeTimeoutMs", `${byTimeout.length} (metric: ${timeoutsTotal})`],
        ["still open at the end", FLOOD - lives.length],
        [
          "lifetime of those closed by the timeout, min / p50 / max (s)",
          `${seconds(byTimeout[0] ?? Number.NaN)} / ${seconds(percentile(byTimeout, 50))} / ${seconds(byTimeout.at(-1) ?? Number.NaN)}`,
        ],
        ["eviction log lines (count of each)", JSON.stringify(evictionLines)],
        ["refusal log lines (count of each)", JSON.stringify(refusalLines)],
        ["handshake-timeout log lines (count of each)", JSON.stringify(timeoutLines)],
        [
          "connected client meanwhile: calls, failures, p50 / p99 (ms)",
          `${calls.latenciesMs.length}, ${JSON.stringify(calls.failures)}, ${percentile(calls.latenciesMs, 50).toFixed(1)} / ${percentile(calls.latenciesMs, 99).toFixed(1)}`,
        ],
        ["new client during, with retries", `${newWithRetries.result} in ${seconds(newWithRetries.ms)} s`],
        [
          "new client during, without retries",
          `${newWithoutRetries.result} in ${seconds(newWithoutRetries.ms)} s`,
        ],
        ["new client after", `${newAfter.result} in ${seconds(newAfter.ms)} s`],
      ],
    };
    const failures = Object.values(calls.failures).reduce((a, b) => a + b, 0);
    return {
      table,
      figures,
      targets: [
        {
          name: "preface flood: connected client's calls failed",
          target: "0",
          measured: String(failures),
          met: failures === 0 && calls.latenciesMs.length > 0,
        },
        {
          name: "preface flood: every connection closed by the server",
          target: `${FLOOD}`,
          measured: String(lives.length),
          met: ended,
        },
        {
          name: "preface flood: new client during it (no retries)",
          target: "OK",
          measured: newWithoutRetries.result,
          met: newWithoutRetries.result === "OK",
        },
        {
          name: "preface flood: new client after it",
          target: "OK",
          measured: newAfter.result,
          met: newAfter.result === "OK",
        },
      ],
    };
  } finally {
    for (const peer of flood) peer.destroy();
    await service.stop();
  }
}
