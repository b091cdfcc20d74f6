/**
 * `node --import tsx bench/connections.ts [--quick]` (or `npm run bench -- --only connections`): the issue's
 * hostile-connection scenarios against `redisession serve` processes with their defaults, through raw TCP and
 * `node:http2` clients, while a normal client calls: a flood of connections without the HTTP/2 preface under
 * `ulimit -n 1024`, a slowloris, idle and half-open connections, and connections beyond server.maxConnections.
 * Prints what the server did to each and when; the tests assert the same properties without timing them
 * (test/security/connections.test.ts, slow-requests.test.ts). About a minute; `--quick` scales the slowloris and the
 * cap's duration down. Linux only (open files are read from /proc).
 */
import { connectionCap } from "./connections/connection-cap.js";
import { idleConnections } from "./connections/idle-connections.js";
import { prefaceFlood } from "./connections/preface-flood.js";
import type { ScenarioResult } from "./connections/scenario.js";
import { slowloris } from "./connections/slowloris.js";
import { benchRedis, progress } from "./support/harness.js";
import { runIfMain, type Suite } from "./support/suite.js";

/** The connection scenarios, one service process each, one after the other. */
export const run: Suite = async ({ quick }) => {
  const redis = await benchRedis();
  try {
    const results: Record<string, ScenarioResult> = {};
    progress("connections: preface flood under ulimit -n 1024");
    results.prefaceFlood = await prefaceFlood(redis.url);
    progress("connections: slowloris");
    results.slowloris = await slowloris(redis.url, quick);
    progress("connections: idle and half-open connections");
    results.idle = await idleConnections(redis.url);
    progress("connections: maxConnections");
    results.cap = await connectionCap(redis.url, quick);
    const all = Object.values(results);
    return {
      tables: all.map((result) => result.table),
      figures: Object.fromEntries(Object.entries(results).map(([name, result]) => [name, result.figures])),
      targets: all.flatMap((result) => result.targets),
    };
  } finally {
    await redis.stop();
  }
};

await runIfMain(run, import.meta.filename);
