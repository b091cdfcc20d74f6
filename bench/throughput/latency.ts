/**
 * Open-loop latency: calls are sent on a fixed schedule (call i is due at start + i / rate) whether or not
 * earlier calls have answered, and each call's latency is measured from the time it was DUE, not the time it
 * was sent. A closed-loop generator (or one timing from the actual send) waits out a server stall and then
 * records a single slow call, hiding the calls that should have been sent meanwhile (coordinated omission); here
 * they are sent late and their wait is counted. Every call goes into an HdrHistogram (microseconds, 3
 * significant digits).
 *
 * The generator runs in the suite's own process on the same two cores as the service and Redis. To take as
 * little of that CPU as possible it uses raw grpc-js with pre-encoded requests and leaves responses undecoded
 * (their contents were verified before; here only the status matters).
 */
import type { Client } from "@grpc/grpc-js";
import { build, type Histogram } from "hdr-histogram-js";
import { rawClient, rawUnary, waitForReady } from "./grpc-frames.js";

/** What to send, how fast and for how long. */
export interface OpenLoopOptions {
  /** The gRPC path, e.g. `/redisession.v1.SessionService/GetSession`. */
  readonly path: string;
  /** Request messages (protobuf bytes), sent round-robin. */
  readonly messages: readonly Uint8Array[];
  /** Calls per second. */
  readonly rate: number;
  readonly seconds: number;
  /**
   * Each call's deadline. A call that misses it counts as an error and is recorded at the time it failed, so an
   * overloaded round still shows in the percentiles, and its backlog drains in bounded time.
   */
  readonly timeoutMs: number;
}

/** The latency of one open-loop round. */
export interface LatencyRound {
  readonly targetRate: number;
  /** Calls answered OK per second of the schedule. */
  readonly achievedRate: number;
  readonly calls: number;
  /** Calls that failed (mostly missed deadlines when the rate exceeds what the service can do). */
  readonly errors: number;
  /** Latency percentiles from the intended send time, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /**
   * Delay between a call's due time and its actual send, 99th percentile and largest: how far the generator
   * itself fell behind (timer granularity, its own GC, or no free core). It is part of the latencies above.
   */
  readonly sendLagP99Ms: number;
  readonly maxSendLagMs: number;
  /** Share of a core the generator's process used: CPU the service and Redis did not get. */
  readonly generatorCores: number;
}

/** The connections of a generator, opened once and reused by its rounds. */
export class OpenLoopClients {
  private constructor(readonly clients: readonly Client[]) {}

  static async open(port: number, connections: number): Promise<OpenLoopClients> {
    const clients = Array.from({ length: connections }, () => rawClient(port));
    await Promise.all(clients.map((client) => waitForReady(client)));
    return new OpenLoopClients(clients);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}

/**
 * One open-loop round. Sending is driven by a 1 ms timer: at each tick every call that has come due is sent, so
 * at 10,000 calls/s calls leave in bursts of about ten. (A busy loop would send them evenly but burn a core the
 * service needs.) Calls are spread round-robin over the connections of `clients`. Resolves when every call has
 * answered or failed.
 */
export async function openLoop(clients: OpenLoopClients, options: OpenLoopOptions): Promise<LatencyRound> {
  const { path, messages, rate, seconds } = options;
  const total = Math.max(1, Math.round(rate * seconds));
  const intervalMs = 1000 / rate;
  const histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  const sendLag: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  let sent = 0;
  let answered = 0;
  let errors = 0;
  let maxSendLagMs = 0;
  let firstError: unknown;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finishOne = () => {
      answered++;
      if (answered === total) resolve();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total) {
        const due = start + sent * intervalMs;
        if (due > now) break;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        sendLag.recordValue(Math.max(1, Math.round((now - due) * 1000)));
        const client = clients.clients[sent % clients.clients.length] as Client;
        const message = messages[sent % messages.length] as Uint8Array;
        sent++;
        const record = () => histogram.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
        rawUnary(client, path, message, options.timeoutMs).then(
          () => {
            record();
            finishOne();
          },
          (error: unknown) => {
            record();
            errors++;
            firstError ??= error;
            finishOne();
          },
        );
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });

  const elapsedSeconds = Math.max(seconds, (performance.now() - start) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  if (errors > 0 && errors === total) throw new Error(`every call failed: ${(firstError as Error).message}`);
  const round: LatencyRound = {
    targetRate: rate,
    achievedRate: (total - errors) / elapsedSeconds,
    calls: total,
    errors,
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    p999: histogram.getValueAtPercentile(99.9) / 1000,
    max: histogram.maxValue / 1000,
    sendLagP99Ms: sendLag.getValueAtPercentile(99) / 1000,
    maxSendLagMs,
    generatorCores: (cpu.user + cpu.system) / 1e6 / ((performance.now() - start) / 1000),
  };
  histogram.destroy();
  sendLag.destroy();
  return round;
}
