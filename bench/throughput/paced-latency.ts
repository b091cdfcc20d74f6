/**
 * Latency at a fixed rate, measured by h2load: each connection sends at `--rps` on its own schedule, whether or
 * not earlier calls have answered (open loop as long as a connection has a free stream, and it has
 * {@link PACED_STREAMS}), and `--log-file` records every request of the measured duration, so the percentiles are
 * exact over all calls rather than estimated.
 *
 * Why h2load and not a Node generator: on these 2-core machines the generator shares the cores with the service
 * and Redis. A grpc-js generator took half a core at 1,000 calls/s and fell 10–20 ms behind its own schedule at
 * the 99th percentile (measured), so it measured itself; h2load is C and takes a small fraction of that.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { rpcOf } from "./fixtures.js";
import type { RequestBody } from "./grpc-frames.js";
import { type H2loadJob, runH2load } from "./h2load.js";
import { assertAllOk, probeDelta, type ServerProbe } from "./server-probe.js";
import type { Timing } from "./workload.js";

/**
 * Streams each paced connection may have in flight. A connection with all of them busy waits before sending (the
 * schedule slips, and h2load would time from the late send), so there are far more than a healthy run needs: at
 * the highest rate here, about 2,600 calls/s a connection, a connection runs out only after ~100 ms of latency.
 */
export const PACED_STREAMS = 256;

/** What one paced run measured. */
export interface PacedLatency {
  readonly targetRate: number;
  /** Calls per second h2load completed in the measured duration: below the target, the service fell behind. */
  readonly achievedRate: number;
  readonly calls: number;
  /** Calls in flight when the measured time ended, left out of the percentiles (at most the streams). */
  readonly cutOff: number;
  /** Latency percentiles over every call of the measured duration, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Share of a core the service used during the run (warm-up included). */
  readonly serviceCores: number;
}

/**
 * The value at `percentile` (0–100) of ascending `sorted`: the smallest value that at least that share of the
 * values do not exceed (nearest rank).
 */
export function percentileOf(sorted: Float64Array, percentile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The calls of an h2load request log: durations of the finished ones, and how many were cut off. */
export interface LoggedCalls {
  /** Durations (third column, µs) in milliseconds, ascending. */
  readonly durations: Float64Array;
  /** Calls still in flight when the measured time ended: h2load logs them with status 0. */
  readonly cutOff: number;
}

/** The calls of an h2load request log (`start µs`, `HTTP status`, `duration µs`, tab-separated). */
export function loggedCalls(log: string): LoggedCalls {
  const finished: number[] = [];
  let cutOff = 0;
  for (const line of log.split("\n")) {
    if (line.trim() === "") continue;
    const [, statusText, microseconds] = line.split("\t");
    if (statusText === "0") cutOff++;
    else if (statusText === "200" && microseconds !== undefined) finished.push(Number(microseconds) / 1000);
    else throw new Error(`h2load logged a request that did not succeed: ${JSON.stringify(line)}`);
  }
  return { durations: Float64Array.from(finished).sort(), cutOff };
}

/**
 * Sends `path` at `rate` calls per second in all, spread evenly over one connection per body, for `timing`, and
 * returns the latency of every measured call. Throws if any call fails (h2load's HTTP view, or a status other
 * than OK in the service's own counters).
 */
export async function pacedLatency(
  port: number,
  probe: ServerProbe,
  call: { readonly path: string; readonly bodies: readonly RequestBody[] },
  rate: number,
  timing: Timing,
  scratchDir: string,
): Promise<PacedLatency> {
  const jobs: H2loadJob[] = call.bodies.map((body, index) => ({
    path: call.path,
    bodyFile: body.file,
    connections: 1,
    streams: PACED_STREAMS,
    rps: rate / call.bodies.length,
    logFile: join(scratchDir, `paced-${index}.log`),
  }));
  const before = await probe.snapshot();
  const run = await runH2load(port, jobs, timing);
  const delta = probeDelta(before, await probe.snapshot());
  assertAllOk(delta, [rpcOf(call.path)], run.succeeded, jobs.length * PACED_STREAMS);
  const logs = jobs.map((job) => {
    const file = job.logFile as string;
    const text = readFileSync(file, "utf8");
    rmSync(file);
    return text;
  });
  const { durations, cutOff } = loggedCalls(logs.join("\n"));
  // Only calls in flight at the end can be cut off: more would mean h2load lost track of calls.
  if (cutOff > jobs.length * PACED_STREAMS) throw new Error(`${cutOff} calls of ${call.path} never finished`);
  return {
    targetRate: rate,
    achievedRate: run.reqPerSec,
    calls: durations.length,
    cutOff,
    p50: percentileOf(durations, 50),
    p99: percentileOf(durations, 99),
    p999: percentileOf(durations, 99.9),
    max: percentileOf(durations, 100),
    serviceCores: delta.serviceCores,
  };
}
