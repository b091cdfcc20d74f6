/**
 * Idle connections: 100 HTTP/2 connections that complete their preface and never call, and 20 that also never
 * close their side once the server closed its own (half-open). server.maxConnectionIdleMs is set to 2 s here
 * (default 5 min) to measure in seconds. Measured: when each got its GOAWAY and was closed, when the half-open
 * ones were let go (the service's open files), and a client that calls, idles past the limit, and calls again.
 */
import type { Table } from "../support/table.js";
import { observedService } from "./observed-service.js";
import {
  idleSessions,
  lifetimes,
  PREFACE_AND_SETTINGS,
  percentile,
  type TcpPeer,
  tcpPeers,
} from "./raw-peers.js";
import { outcome, type ScenarioResult, seconds, within } from "./scenario.js";

const IDLE_MS = 2_000;
const IDLE = 100;
const HALF_OPEN = 20;
/** server.handshakeTimeoutMs's default: a half-open connection is let go one to two of these after its end. */
const HANDSHAKE_TIMEOUT_MS = 5_000;

/** Runs the scenario against a new service on `redisUrl`. */
export async function idleConnections(redisUrl: string): Promise<ScenarioResult> {
  const service = await observedService(redisUrl, [`  maxConnectionIdleMs: ${IDLE_MS}`]);
  let halfOpen: TcpPeer[] = [];
  try {
    const client = service.client({ retry: false });
    const key = (await client.createSession({})).session?.key ?? "";
    const filesBefore = service.openFiles();
    const idle = await idleSessions(service.port, IDLE);
    halfOpen = await tcpPeers(service.port, HALF_OPEN, { send: PREFACE_AND_SETTINGS, allowHalfOpen: true });
    const filesWithIdle = service.openFiles();
    const bound = IDLE_MS + 3 * HANDSHAKE_TIMEOUT_MS;
    const idleEnded = within(Promise.all(idle.map((session) => session.ended)), bound);
    const halfOpenEnded = within(Promise.all(halfOpen.map((peer) => peer.ended)), bound);
    await Promise.all([idleEnded, halfOpenEnded]);
    const filesAfter = service.openFiles();
    // The client's own connection went idle meanwhile and was closed; its next call reconnects.
    const again = await outcome(client.getSession({ key }));

    const idleLives = lifetimes(idle);
    const goawayLives = idle
      .filter((session) => session.goawayAt !== undefined)
      .map((session) => (session.goawayAt as number) - session.openedAt)
      .sort((a, b) => a - b);
    const goawayCodes = [...new Set(idle.map((session) => session.goawayCode))];
    const halfOpenLives = lifetimes(halfOpen);
    const figures = {
      maxConnectionIdleMs: IDLE_MS,
      idle: IDLE,
      idleClosed: idleLives.length,
      goawayReceived: goawayLives.length,
      goawayCodes,
      goawayAfterMs: { min: goawayLives[0], p50: percentile(goawayLives, 50), max: goawayLives.at(-1) },
      closedAfterMs: { min: idleLives[0], p50: percentile(idleLives, 50), max: idleLives.at(-1) },
      halfOpen: HALF_OPEN,
      halfOpenLetGo: halfOpenLives.length,
      halfOpenLetGoAfterMs: { min: halfOpenLives[0], max: halfOpenLives.at(-1) },
      openFiles: { before: filesBefore, withIdle: filesWithIdle, after: filesAfter },
      clientAfterIdling: again,
    };
    const range = (sorted: readonly number[]) =>
      `${seconds(sorted[0] ?? Number.NaN)} / ${seconds(percentile(sorted, 50))} / ${seconds(sorted.at(-1) ?? Number.NaN)}`;
    const table: Table = {
      title: `Idle connections, maxConnectionIdleMs ${IDLE_MS} (default 300000)`,
      header: ["measure", "value"],
      rows: [
        ["idle connections closed by the server", `${idleLives.length} of ${IDLE}`],
        ["GOAWAY received (codes)", `${goawayLives.length} (${goawayCodes.join(", ")})`],
        ["GOAWAY after, min / p50 / max (s)", range(goawayLives)],
        ["closed after, min / p50 / max (s)", range(idleLives)],
        ["half-open connections let go by the server", `${halfOpenLives.length} of ${HALF_OPEN}`],
        ["half-open let go after, min / p50 / max (s)", range(halfOpenLives)],
        [
          "service open files: before / with them / after",
          `${filesBefore} / ${filesWithIdle} / ${filesAfter}`,
        ],
        ["client's next call after idling past the limit", `${again.result} in ${seconds(again.ms)} s`],
      ],
    };
    const maxIdle = idleLives.at(-1) ?? Number.NaN;
    return {
      table,
      figures,
      targets: [
        {
          name: "idle: connections closed (GOAWAY) after maxConnectionIdleMs",
          // grpc-js checks idleness when its timer fires and, when the check falls a millisecond short, looks again
          // one whole interval later: a connection goes after one to two maxConnectionIdleMs.
          target: `${IDLE}, each ≤ ${seconds(2 * IDLE_MS + 1_000)} s`,
          measured: `${idleLives.length}, max ${seconds(maxIdle)} s`,
          met: idleLives.length === IDLE && goawayLives.length === IDLE && maxIdle <= 2 * IDLE_MS + 1_000,
        },
        {
          name: "idle: half-open connections let go",
          target: `${HALF_OPEN}`,
          measured: String(halfOpenLives.length),
          met: halfOpenLives.length === HALF_OPEN,
        },
        {
          name: "idle: client's next call",
          target: "OK",
          measured: again.result,
          met: again.result === "OK",
        },
      ],
    };
  } finally {
    for (const peer of halfOpen) peer.destroy();
    await service.stop();
  }
}
