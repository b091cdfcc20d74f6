/**
 * server.maxConnections at its default (900): a client is connected, 899 lazy HTTP/2 connections (preface and
 * settings, then nothing) fill the cap, and new connections keep coming at 50 a second for 12 s (3 s when quick).
 * Measured: what became of the newcomers, the connected client's calls meanwhile, the refusal log lines (at most
 * one per 10 s, each with its count), and a new client once the lazy ones left.
 */
import { performance } from "node:perf_hooks";
import { CONNECTIONS_REFUSED_MESSAGE } from "../../src/server/server.js";
import type { Table } from "../support/table.js";
import { type ObservedService, observedService } from "./observed-service.js";
import {
  callsWhile,
  lifetimes,
  PREFACE_AND_SETTINGS,
  percentile,
  type TcpPeer,
  tcpPeers,
} from "./raw-peers.js";
import { outcome, type ScenarioResult, seconds, within } from "./scenario.js";

/** server.maxConnections's default. */
const MAX_CONNECTIONS = 900;
const NEWCOMERS_PER_SECOND = 50;

/** Resolves once the service's open connections (its metric, read every 100 ms) satisfy `wanted`. */
async function openConnections(service: ObservedService, wanted: (open: number) => boolean): Promise<void> {
  while (!wanted(await service.metric("redisession_connections_open"))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the scenario against a new service on `redisUrl`. */
export async function connectionCap(redisUrl: string, quick: boolean): Promise<ScenarioResult> {
  const service = await observedService(redisUrl);
  const durationMs = quick ? 3_000 : 12_000;
  const held: TcpPeer[] = [];
  const newcomers: TcpPeer[] = [];
  try {
    const client = service.client({ retry: false });
    const key = (await client.createSession({})).session?.key ?? "";
    held.push(...(await tcpPeers(service.port, MAX_CONNECTIONS - 1, { send: PREFACE_AND_SETTINGS })));
    // Connected is not yet accepted: the last ones may still wait in the listen backlog.
    await within(
      openConnections(service, (open) => open >= MAX_CONNECTIONS),
      10_000,
    );
    const openAtCap = await service.metric("redisession_connections_open");

    const started = performance.now();
    const arrivals = (async () => {
      while (performance.now() - started < durationMs) {
        newcomers.push(...(await tcpPeers(service.port, NEWCOMERS_PER_SECOND / 10)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await within(Promise.all(newcomers.map((peer) => peer.ended)), 10_000);
    })();
    const calls = await callsWhile(client, key, arrivals);
    const heldEndedEarly = held.filter((peer) => peer.endedAt !== undefined).length;
    const refusedTotal = await service.metric("redisession_connections_refused_total");
    const refusalLines = service.logLines(CONNECTIONS_REFUSED_MESSAGE).map((line) => line.count);

    for (const peer of held) peer.destroy();
    await within(
      openConnections(service, (open) => open <= 1),
      10_000,
    );
    const newAfter = await outcome(service.client({ retry: false }).getSession({ key }));

    const lives = lifetimes(newcomers);
    const failures = Object.values(calls.failures).reduce((a, b) => a + b, 0);
    const figures = {
      maxConnections: MAX_CONNECTIONS,
      openAtCap,
      newcomers: newcomers.length,
      newcomersClosed: lives.length,
      newcomerLifetimeMs: { p50: percentile(lives, 50), max: lives.at(-1) },
      refusedTotal,
      refusalLogLineCounts: refusalLines,
      heldEndedEarly,
      connectedClient: {
        calls: calls.latenciesMs.length,
        failures: calls.failures,
        p50Ms: percentile(calls.latenciesMs, 50),
        p99Ms: percentile(calls.latenciesMs, 99),
      },
      newClientAfter: newAfter,
    };
    const table: Table = {
      title: `maxConnections ${MAX_CONNECTIONS} reached, ${NEWCOMERS_PER_SECOND} new connections a second for ${seconds(durationMs)} s`,
      header: ["measure", "value"],
      rows: [
        ["connections open at the cap (metric)", openAtCap],
        [
          "newcomers closed by the server",
          `${lives.length} of ${newcomers.length} (metric: ${refusedTotal})`,
        ],
        [
          "newcomer lifetime p50 / max (ms)",
          `${percentile(lives, 50).toFixed(1)} / ${(lives.at(-1) ?? Number.NaN).toFixed(1)}`,
        ],
        ["refusal log lines (count of each)", JSON.stringify(refusalLines)],
        ["held connections closed meanwhile", heldEndedEarly],
        [
          "connected client meanwhile: calls, failures, p50 / p99 (ms)",
          `${calls.latenciesMs.length}, ${JSON.stringify(calls.failures)}, ${percentile(calls.latenciesMs, 50).toFixed(1)} / ${percentile(calls.latenciesMs, 99).toFixed(1)}`,
        ],
        ["new client once the held ones left", `${newAfter.result} in ${seconds(newAfter.ms)} s`],
      ],
    };
    const expectedLines = Math.floor(durationMs / 10_000) + 1;
    return {
      table,
      figures,
      targets: [
        {
          name: "cap: newcomers refused",
          target: `${newcomers.length}`,
          measured: String(lives.length),
          met: lives.length === newcomers.length && refusedTotal === newcomers.length,
        },
        {
          name: "cap: refusal log lines",
          target: `≤ ${expectedLines} (one per 10 s)`,
          measured: `${refusalLines.length}, sum ${refusalLines.reduce((a, b) => Number(a) + Number(b), 0)}`,
          met: refusalLines.length <= expectedLines,
        },
        {
          name: "cap: connected client's calls failed",
          target: "0",
          measured: String(failures),
          met: failures === 0 && calls.latenciesMs.length > 0,
        },
        {
          name: "cap: new client after",
          target: "OK",
          measured: newAfter.result,
          met: newAfter.result === "OK",
        },
      ],
    };
  } finally {
    for (const peer of [...held, ...newcomers]) peer.destroy();
    await service.stop();
  }
}
