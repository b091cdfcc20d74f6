/**
 * Open-loop load: calls are started on a fixed schedule (call i is due at start + i / rate) whether or not
 * earlier calls have answered, and each call's latency is measured from the time it was DUE, not the time it
 * was sent. A closed-loop generator (or one timing from the actual send) waits out a server stall and then
 * records a single slow call, hiding the calls that should have been sent meanwhile (coordinated omission); here
 * they are sent late and their wait is counted. Every call goes into an HdrHistogram (microseconds, 3
 * significant digits).
 *
 * The generator runs on the same cores as the service and Redis, so what it costs is reported with its figures.
 */
import { build, type Histogram } from "hdr-histogram-js";

/** How fast and for how long. */
export interface OpenLoopSchedule {
  /** Calls per second. */
  readonly rate: number;
  readonly seconds: number;
}

/** What one open-loop run measured. */
export interface OpenLoopResult {
  readonly targetRate: number;
  /** Calls that succeeded per second of the run. */
  readonly achievedRate: number;
  readonly calls: number;
  /** Calls whose `send` rejected (e.g. missed deadlines when the rate exceeds what the service can do). */
  readonly errors: number;
  /** Latency percentiles from the intended start time, in milliseconds; failed calls count at their failure. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /**
   * Delay between a call's due time and its actual start, 99th percentile and largest: how far the generator
   * itself fell behind (timer granularity, its own GC, or no free core). It is part of the latencies above.
   */
  readonly sendLagP99Ms: number;
  readonly maxSendLagMs: number;
  /** Share of a core the generator's process used: CPU the service and Redis did not get. */
  readonly generatorCores: number;
}

/** Microsecond histograms up to one minute. */
const newHistogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });

/**
 * Runs `send(i)` for i = 0, 1, … on the schedule and resolves when every call has settled. Starting is driven by
 * a 1 ms timer: at each tick every call that has come due is started, so at 10,000 calls/s they leave in bursts
 * of about ten (a busy loop would start them evenly but burn a core the service needs). A rejection of `send`
 * counts as an error; if every call fails, the run rejects with the first error.
 */
export async function runOpenLoop(
  schedule: OpenLoopSchedule,
  send: (index: number) => Promise<unknown>,
): Promise<OpenLoopResult> {
  const { rate, seconds } = schedule;
  const total = Math.max(1, Math.round(rate * seconds));
  const intervalMs = 1000 / rate;
  const latency = newHistogram();
  const sendLag = newHistogram();
  let started = 0;
  let settled = 0;
  let errors = 0;
  let maxSendLagMs = 0;
  let firstError: unknown;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const micros = (ms: number) => Math.max(1, Math.round(ms * 1000));

  await new Promise<void>((resolve) => {
    const settle = (due: number, failure?: { error: unknown }) => {
      latency.recordValue(micros(performance.now() - due));
      if (failure !== undefined) {
        errors++;
        firstError ??= failure.error;
      }
      if (++settled === total) resolve();
    };
    const tick = () => {
      const now = performance.now();
      while (started < total) {
        const due = start + started * intervalMs;
        if (due > now) break;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        sendLag.recordValue(micros(now - due));
        send(started++).then(
          () => settle(due),
          (error: unknown) => settle(due, { error }),
        );
      }
      if (started < total) setTimeout(tick, 1);
    };
    tick();
  });

  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const result: OpenLoopResult = {
    targetRate: rate,
    achievedRate: (total - errors) / Math.max(seconds, elapsedMs / 1000),
    calls: total,
    errors,
    p50: latency.getValueAtPercentile(50) / 1000,
    p99: latency.getValueAtPercentile(99) / 1000,
    p999: latency.getValueAtPercentile(99.9) / 1000,
    max: latency.maxValue / 1000,
    sendLagP99Ms: sendLag.getValueAtPercentile(99) / 1000,
    maxSendLagMs,
    generatorCores: (cpu.user + cpu.system) / 1e6 / (elapsedMs / 1000),
  };
  latency.destroy();
  sendLag.destroy();
  if (errors === total) throw new Error(`every call failed: ${(firstError as Error).message}`);
  return result;
}
